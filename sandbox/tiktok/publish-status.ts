/**
 * Publish status as a pure function of the sandbox clock (no timers), so tests can fast-forward
 * with advanceTime() and every process sees the same answer (https://developers.tiktok.com/doc/content-posting-api-reference-upload-video).
 *
 * FILE_UPLOAD:   PROCESSING_UPLOAD while bytes are missing
 *                → PROCESSING_UPLOAD for one statusStepMs after the last byte (TikTok checks the file)
 *                → SEND_TO_USER_INBOX (inbox) | PUBLISH_COMPLETE (direct post)
 * PULL_FROM_URL: PROCESSING_DOWNLOAD for one step → PROCESSING_UPLOAD for one step → final.
 * failUpload():  FAILED with the given fail_reason replaces the final state, at the moment the final
 *                state would have been reached (immediately if it already was).
 * cancel:        FAILED with fail_reason publish_cancelled, immediately.
 * FAILED is reported with error.code "ok": the request worked, the publish did not.
 */
import type { Publish } from "./state";
import type { PublishStatus } from "./types";

export interface StatusView {
  status: PublishStatus;
  failReason: string | undefined;
}

export function finalSuccess(p: Publish): PublishStatus {
  return p.kind === "inbox" ? "SEND_TO_USER_INBOX" : "PUBLISH_COMPLETE";
}

/** When the publish reaches its final state, or undefined while bytes are still missing. */
export function finalAt(p: Publish, stepMs: number): number | undefined {
  if (p.readyAt === undefined) return undefined;
  return p.readyAt + (p.source === "PULL_FROM_URL" ? 2 * stepMs : stepMs);
}

export function publishStatus(p: Publish, now: number, stepMs: number): StatusView {
  if (p.finalStatus === "FAILED") return { status: "FAILED", failReason: p.failure?.reason };
  const done = finalAt(p, stepMs);
  if (done !== undefined && now >= done) {
    if (p.failure !== undefined) return { status: "FAILED", failReason: p.failure.reason };
    return { status: finalSuccess(p), failReason: undefined };
  }
  if (p.source === "PULL_FROM_URL" && p.readyAt !== undefined && now < p.readyAt + stepMs) {
    return { status: "PROCESSING_DOWNLOAD", failReason: undefined };
  }
  return { status: "PROCESSING_UPLOAD", failReason: undefined };
}

/** Whether a publish still counts as a "pending share" for the inbox cap. */
export function isPendingShare(p: Publish, now: number, stepMs: number): boolean {
  return publishStatus(p, now, stepMs).status !== "FAILED";
}
