import type { UploadView } from "@/lib/uploads/upload-view";
import { relativeTime } from "@/lib/connections/relative-time";
import { formatBytes } from "@/lib/uploads/format";
import { FindingsList } from "./findings-list";

const BADGES: Record<"ok" | "failed" | "running", string> = {
  ok: "bg-emerald-100 text-emerald-800",
  failed: "bg-red-100 text-red-800",
  running: "bg-slate-100 text-slate-700",
};

/** Past uploads of the account and how each ended (video_uploads, newest first). */
export function UploadHistory({ uploads, now }: { uploads: UploadView[]; now: Date }) {
  if (uploads.length === 0) return <p className="text-sm text-slate-600">No uploads from SocialFlow yet.</p>;
  return (
    <ul aria-label="Past uploads" className="divide-y divide-slate-200 rounded-2xl border border-slate-200 bg-white">
      {uploads.map((u) => {
        const badge = u.succeeded === true ? "ok" : u.succeeded === false ? "failed" : "running";
        return (
          <li key={u.id} className="p-4 text-sm" data-testid="past-upload">
            <div className="flex flex-wrap items-center gap-2">
              <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${BADGES[badge]}`}>
                {badge === "ok" ? "Done" : badge === "failed" ? "Not sent" : "In progress"}
              </span>
              <span className="text-slate-500">
                {u.mode === "inbox" ? "Inbox" : "Direct post"} · {formatBytes(u.totalBytes)} ·{" "}
                <time dateTime={u.createdAt} title={u.createdAt}>
                  {relativeTime(new Date(u.createdAt), now)}
                </time>
              </span>
            </div>
            <p className="mt-1">{u.message}</p>
            <FindingsList findings={u.problems} kind="problems" />
          </li>
        );
      })}
    </ul>
  );
}
