import type { VideoUploadRow } from "@/lib/db/schema";
import { FINAL_STATES, outcomeMessage, type UploadState } from "./outcome-messages";
import type { Finding } from "./video-rules";

/** What the browser sees of an upload: progress and outcome, never the publish_id or a URL. */
export interface UploadView {
  id: string;
  mode: "inbox" | "direct";
  state: UploadState;
  /** True once nothing more will happen to it. */
  done: boolean;
  /** True when it ended in the creator's inbox or posted; false when refused or failed; null while running. */
  succeeded: boolean | null;
  bytesSent: number;
  totalBytes: number;
  message: string;
  problems: Finding<string>[];
  warnings: Finding<string>[];
  /** Our outcome code or TikTok's fail_reason (stable ids for tests and support). */
  errorCode: string | null;
  failReason: string | null;
  /** When a rate limit was hit: when trying again makes sense. */
  retryAt: string | null;
  createdAt: string;
  completedAt: string | null;
}

function findings(value: unknown): Finding<string>[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (f): f is Finding<string> => typeof f === "object" && f !== null && typeof f.code === "string" && typeof f.message === "string",
  );
}

export function toUploadView(row: VideoUploadRow): UploadView {
  const detail = row.detail ?? {};
  const done = FINAL_STATES.includes(row.state);
  return {
    id: row.id,
    mode: row.mode,
    state: row.state,
    done,
    succeeded: done ? row.state === "SEND_TO_USER_INBOX" || row.state === "PUBLISH_COMPLETE" : null,
    bytesSent: row.bytesSent,
    totalBytes: row.totalBytes,
    message: outcomeMessage(row),
    problems: findings(detail.problems),
    warnings: findings(detail.warnings),
    errorCode: row.errorCode,
    failReason: row.failReason,
    retryAt: typeof detail.retryAt === "string" ? detail.retryAt : null,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}
