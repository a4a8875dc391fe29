"use client";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useRouter } from "next/navigation";
import type { PostingOptions } from "@/lib/uploads/upload-service";
import { ACCEPT, canPreview, checkChosenFile } from "@/lib/uploads/client-checks";
import { formatBytes, formatDuration } from "@/lib/uploads/format";
import { DirectPostFields, NO_CHOICES, type DirectPostChoices } from "./direct-post-fields";
import { FindingsList } from "./findings-list";
import { ProgressBar } from "./progress-bar";
import { useVideoUpload, type UploadPhase } from "./use-video-upload";

/** Choose or drop a video, check it at once, send it, and watch it travel to TikTok. */
export function UploadForm({ accountId, options, maxBytes }: { accountId: string; options: PostingOptions; maxBytes: number }) {
  const router = useRouter();
  const refresh = useCallback(() => router.refresh(), [router]);
  const { phase, start, reset } = useVideoUpload(accountId, refresh);
  const directAvailable = options.direct && options.creator !== undefined;
  const [mode, setMode] = useState<"inbox" | "direct">(options.inbox ? "inbox" : "direct");
  const [file, setFile] = useState<File | null>(null);
  const [choices, setChoices] = useState<DirectPostChoices>(NO_CHOICES);
  const [dragging, setDragging] = useState(false);
  const check = useMemo(() => (file ? checkChosenFile(file, maxBytes) : null), [file, maxBytes]);
  const preview = useMemo(() => (file && check?.ok && canPreview(file) ? URL.createObjectURL(file) : null), [file, check]);
  useEffect(() => () => void (preview && URL.revokeObjectURL(preview)), [preview]);

  const busy = phase.step === "to-server" || phase.step === "checking" || phase.step === "to-tiktok";
  const needsPrivacy = mode === "direct" && choices.privacyLevel === "";
  const canSend = Boolean(file && check?.ok) && !busy && !needsPrivacy && (mode === "inbox" || directAvailable);

  function choose(next: File | null) {
    setFile(next);
    reset();
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    if (!file || !check?.ok || !canSend) return;
    void start(file, {
      mode,
      type: check.type,
      ...(mode === "direct"
        ? {
            post: {
              privacyLevel: choices.privacyLevel,
              ...(choices.title.trim() ? { title: choices.title } : {}),
              disableComment: !choices.allowComment,
              disableDuet: !choices.allowDuet,
              disableStitch: !choices.allowStitch,
            },
          }
        : {}),
    });
  }

  const maxDuration = options.creator?.max_video_post_duration_sec;
  return (
    <form onSubmit={submit} className="space-y-5 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm" aria-label="Upload a video">
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          if (!busy) choose(e.dataTransfer.files[0] ?? null);
        }}
        className={`rounded-xl border-2 border-dashed p-6 text-center ${dragging ? "border-brand-500 bg-brand-50" : "border-slate-300"}`}
      >
        <label htmlFor="video-file" className="block font-medium">
          Video file
        </label>
        <p className="mt-1 text-sm text-slate-600">
          Drop a video here or choose one: MP4 (recommended), MOV or WEBM, up to {formatBytes(maxBytes)}, 3 seconds to{" "}
          {formatDuration(Math.min(maxDuration ?? 600, 600))}.
        </p>
        <input id="video-file" type="file" accept={ACCEPT} disabled={busy} onChange={(e) => choose(e.target.files?.[0] ?? null)} className="mt-3 text-sm" />
        {file && check?.ok && (
          <p className="mt-2 text-sm text-slate-600" data-testid="chosen-file">
            {file.name} · {formatBytes(file.size)}
          </p>
        )}
      </div>
      {check && !check.ok && (
        <p role="alert" className="rounded-xl bg-red-50 p-3 text-sm text-red-800">
          {check.message}
        </p>
      )}
      {preview && (
        // A muted preview so the creator sees what is about to go out (TikTok UX guidelines).
        <video src={preview} controls muted playsInline className="mx-auto max-h-72 rounded-xl bg-black" aria-label="Preview" />
      )}

      {options.inbox && options.direct && (
        <fieldset disabled={busy} className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
          <legend className="mb-1 font-medium">Where to</legend>
          <label className="flex items-center gap-2">
            <input type="radio" name="mode" checked={mode === "inbox"} onChange={() => setMode("inbox")} /> Send to my TikTok inbox (finish in the app)
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="mode" checked={mode === "direct"} onChange={() => setMode("direct")} disabled={!directAvailable} /> Post directly
          </label>
        </fieldset>
      )}
      {mode === "direct" && options.creator && <DirectPostFields creator={options.creator} value={choices} onChange={setChoices} disabled={busy} />}
      {options.direct && options.creatorError && (
        <p role="note" className="rounded-xl bg-amber-50 p-3 text-sm text-amber-900">
          Direct posting is unavailable right now: {options.creatorError.message}
        </p>
      )}

      <button type="submit" disabled={!canSend} className="rounded-lg bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700 disabled:opacity-50">
        {mode === "direct" ? "Post to TikTok" : "Send to TikTok inbox"}
      </button>
      <Progress phase={phase} />
    </form>
  );
}

function Progress({ phase }: { phase: UploadPhase }) {
  if (phase.step === "idle") return null;
  const toServer = phase.step === "to-server" ? (phase.total ? (100 * phase.loaded) / phase.total : 0) : 100;
  const upload = "upload" in phase ? phase.upload : undefined;
  const started = phase.step === "to-tiktok" || phase.step === "done" || (phase.step === "error" && upload?.state !== "REJECTED" && upload !== undefined);
  const toTikTok = upload && upload.totalBytes > 0 ? (100 * upload.bytesSent) / upload.totalBytes : 0;
  const status =
    phase.step === "to-server"
      ? "Uploading the file to SocialFlow…"
      : phase.step === "checking"
        ? "Checking the video against TikTok's rules…"
        : phase.step === "error"
          ? phase.message
          : phase.upload.message;
  return (
    <section aria-label="Progress" className="space-y-3">
      {phase.step !== "error" || upload ? <ProgressBar label="Upload to SocialFlow" value={toServer} /> : null}
      {started && <ProgressBar label="Sent to TikTok" value={toTikTok} detail={upload ? `${formatBytes(upload.bytesSent)} of ${formatBytes(upload.totalBytes)}` : undefined} />}
      <div
        role={phase.step === "error" ? "alert" : "status"}
        data-testid="upload-status"
        className={`rounded-xl p-3 text-sm ${phase.step === "error" ? "bg-red-50 text-red-800" : phase.step === "done" ? "bg-emerald-50 text-emerald-800" : "bg-slate-50 text-slate-700"}`}
      >
        {status}
        {upload?.retryAt && <> Try again after {new Date(upload.retryAt).toLocaleTimeString()}.</>}
        {upload && <FindingsList findings={upload.problems} kind="problems" />}
        {upload && <FindingsList findings={upload.warnings} kind="warnings" />}
      </div>
    </section>
  );
}
