"use client";
import type { CreatorInfo } from "@/lib/providers/tiktok/api-schemas";
import { MAX_TITLE_LENGTH, PRIVACY_LABELS } from "@/lib/uploads/client-checks";
import { ownValue } from "@/lib/own-key";

export interface DirectPostChoices {
  title: string;
  privacyLevel: string;
  allowComment: boolean;
  allowDuet: boolean;
  allowStitch: boolean;
}

export const NO_CHOICES: DirectPostChoices = { title: "", privacyLevel: "", allowComment: false, allowDuet: false, allowStitch: false };

/**
 * TikTok's Direct Post UX guidelines (content-sharing-guidelines): show whose account it goes
 * to; privacy options exactly as creator_info lists them with none pre-selected; comment, duet
 * and stitch off until the creator turns them on, and greyed out where the creator disabled them
 * in TikTok; the music usage confirmation before the post button.
 */
export function DirectPostFields({ creator, value, onChange, disabled }: { creator: CreatorInfo; value: DirectPostChoices; onChange: (v: DirectPostChoices) => void; disabled: boolean }) {
  const toggles = [
    { key: "allowComment", label: "Allow comments", off: creator.comment_disabled },
    { key: "allowDuet", label: "Allow Duet", off: creator.duet_disabled },
    { key: "allowStitch", label: "Allow Stitch", off: creator.stitch_disabled },
  ] as const;
  return (
    <fieldset disabled={disabled} className="space-y-4 rounded-xl border border-slate-200 p-4">
      <legend className="px-1 text-sm font-semibold">Post details</legend>
      <p className="text-sm text-slate-600">
        Posting to <span className="font-medium text-slate-900">{creator.creator_nickname ?? "this account"}</span>
        {creator.creator_username ? ` (@${creator.creator_username})` : ""}.
      </p>
      <div>
        <label htmlFor="post-title" className="block text-sm font-medium">
          Title
        </label>
        <textarea
          id="post-title"
          value={value.title}
          maxLength={MAX_TITLE_LENGTH}
          rows={2}
          onChange={(e) => onChange({ ...value, title: e.target.value })}
          className="mt-1 w-full rounded-lg border border-slate-300 px-3 py-2 text-sm"
        />
        <p className="text-right text-xs text-slate-500">
          {value.title.length} / {MAX_TITLE_LENGTH}
        </p>
      </div>
      <div>
        <label htmlFor="post-privacy" className="block text-sm font-medium">
          Who can see this video
        </label>
        <select
          id="post-privacy"
          required
          value={value.privacyLevel}
          onChange={(e) => onChange({ ...value, privacyLevel: e.target.value })}
          className="mt-1 w-full rounded-lg border border-slate-300 px-3 py-2 text-sm"
        >
          <option value="" disabled>
            Choose who can see it
          </option>
          {creator.privacy_level_options.map((option) => (
            <option key={option} value={option}>
              {ownValue(PRIVACY_LABELS, option) ?? option}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
        {toggles.map((t) => (
          <label key={t.key} className={`flex items-center gap-2 ${t.off ? "text-slate-400" : ""}`} title={t.off ? "Turned off in this account's TikTok settings" : undefined}>
            <input type="checkbox" disabled={t.off} checked={!t.off && value[t.key]} onChange={(e) => onChange({ ...value, [t.key]: e.target.checked })} />
            {t.label}
          </label>
        ))}
      </div>
      <p className="text-xs text-slate-500">By posting, you agree to TikTok&apos;s Music Usage Confirmation.</p>
    </fieldset>
  );
}
