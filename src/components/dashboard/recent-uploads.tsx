import Link from "next/link";
import type { UploadView } from "@/lib/uploads/upload-view";
import { relativeTime } from "@/lib/connections/relative-time";

export interface DashboardUpload {
  upload: UploadView;
  accountId: string;
  accountName: string;
}

const OUTCOMES = {
  ok: { label: "Done", tone: "bg-emerald-100 text-emerald-800" },
  failed: { label: "Not sent", tone: "bg-red-100 text-red-800" },
  running: { label: "In progress", tone: "bg-slate-100 text-slate-700" },
} as const;

/** The person's last uploads over all accounts, newest first, each with how it ended. */
export function RecentUploads({ uploads, now }: { uploads: DashboardUpload[]; now: Date }) {
  if (uploads.length === 0) return <p className="text-sm text-slate-600">No uploads from SocialFlow yet.</p>;
  return (
    <ul aria-label="Last uploads" className="divide-y divide-slate-200 rounded-2xl border border-slate-200 bg-white">
      {uploads.map(({ upload, accountId, accountName }) => {
        const outcome = OUTCOMES[upload.succeeded === true ? "ok" : upload.succeeded === false ? "failed" : "running"];
        return (
          <li key={upload.id} className="p-4 text-sm" data-testid="dashboard-upload">
            <div className="flex flex-wrap items-center gap-2">
              <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${outcome.tone}`}>{outcome.label}</span>
              <Link href={`/accounts/${accountId}/upload`} className="font-medium text-brand-600 hover:underline">
                {accountName}
              </Link>
              <time dateTime={upload.createdAt} title={upload.createdAt} className="text-slate-500">
                {relativeTime(new Date(upload.createdAt), now)}
              </time>
            </div>
            <p className="mt-1 break-words">{upload.message}</p>
          </li>
        );
      })}
    </ul>
  );
}
