import { and, eq, gt, inArray, isNotNull, isNull, ne, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { videoUploads, type VideoUploadRow } from "@/lib/db/schema";
import type { NewUpload } from "./upload-store";

/**
 * Upload quotas (issue #11, finding 4): what one user, one account and the whole deployment may
 * have in flight, decided in PostgreSQL so that every instance sees the same counts.
 *
 * - **Per user: 2 uploads in progress.** "In progress" = announced a moment ago and not yet sent
 *   (`AWAITING_FILE` younger than {@link ANNOUNCED_HOLD_MS}), or its bytes arriving
 *   (`RECEIVING`), or being checked (`VALIDATING`). Files waiting on disk and mediainfo's queue
 *   are the cost being bounded; once the chunks go to TikTok the slot is free.
 * - **Per account: TikTok's 5 pending shares.** TikTok refuses an inbox upload with
 *   `spam_risk_too_many_pending_share` when the creator already has 5 shares from the last 24 h
 *   they have not acted on ("Upload" reference,
 *   https://developers.tiktok.com/doc/content-posting-api-reference-upload-video). The same rows
 *   are counted here, before the file is sent: inbox uploads of the account from the last 24 h
 *   that TikTok has (init answered: `UPLOADING`, `PROCESSING_*`, `SEND_TO_USER_INBOX`, or failed
 *   on our side after init, which TikTok never reported as FAILED), plus the ones on their way
 *   to TikTok (in progress as above). SocialFlow stops polling once a video is in the inbox, so
 *   it cannot see the creator post or delete it: such a share counts for its whole 24 h.
 * - **Per user: a share of the temporary disk** (S77, `userTmpShareBytes` in
 *   src/lib/config/config.ts): the sizes announced by the user's own uploads whose file may be on
 *   disk (in progress as above, or `UPLOADING`) plus the new one must fit in the budget less one
 *   file of the largest size (`UPLOAD_MAX_BYTES`). Files being sent to TikTok do not hold one of
 *   the 2 slots, so without it one user could fill the whole budget (two large files sent slowly,
 *   or several being sent) and every other user's upload was refused `upload_disk_full`. When
 *   the budget holds fewer than two largest files the share is the whole budget (nothing to
 *   keep back) and one user can again fill it; they are then refused `upload_disk_share_full`,
 *   everyone else `upload_disk_full`.
 * - **Deployment: the temporary-disk budget** (`UPLOAD_TMP_MAX_BYTES`): the sizes announced by
 *   every upload whose file may be on disk (in progress as above, or `UPLOADING`) plus the new
 *   one must fit.
 *
 * Race safety: the counts and the insert (or the AWAITING_FILE → RECEIVING step) run in one
 * transaction holding one transaction-level advisory lock, so two requests (on any instances)
 * can never both take the last slot (PostgreSQL "Advisory Locks",
 * https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS). One lock for
 * every admission rather than one per user: the disk budget is shared by all users anyway,
 * admissions happen once per announced file and once per file body, and each holds the lock for
 * one short query. Nothing else takes it; freeing a slot (any later transition) needs no lock.
 */
export const MAX_IN_PROGRESS_PER_USER = 2;
export const MAX_PENDING_SHARES = 5;
export const PENDING_SHARE_WINDOW_MS = 24 * 60 * 60_000;
/**
 * An announcement holds its slot this long: the page sends the file right after announcing it,
 * so an announcement older than this was abandoned (closed tab) and must not block the user. A
 * late file body is still admitted, through the same checks.
 */
export const ANNOUNCED_HOLD_MS = 2 * 60_000;
/** Fixed key of the admission lock (the migration lock in src/lib/db/migrate.ts is 727274001). */
const ADMISSION_LOCK_KEY = 727274002;

export interface QuotaLimits {
  /** UPLOAD_TMP_MAX_BYTES. */
  tmpMaxBytes: number;
  /** One user's share of it (`userTmpShareBytes` in src/lib/config/config.ts). */
  userTmpShareBytes: number;
  /** A step with no sign of life this long was interrupted (the stale sweep fails it): not counted. */
  staleAfterMs: number;
}

export type QuotaRefusal =
  | { code: "too_many_uploads_in_progress" }
  | { code: "pending_share_limit"; retryAt: Date }
  | { code: "upload_disk_share_full" }
  | { code: "upload_disk_full" };

export type Admission = { ok: true; row: VideoUploadRow } | { ok: false; refusal: QuotaRefusal; row?: VideoUploadRow };

interface Candidate {
  userId: string;
  accountId: string;
  mode: VideoUploadRow["mode"];
  totalBytes: number;
  /** The row itself when its file arrives (it must not count against itself). */
  id?: string;
}

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** Step 1: the announcement is stored only if every quota allows it. */
export async function admitAnnouncement(db: Database, values: NewUpload, limits: QuotaLimits, now: Date): Promise<Admission> {
  return db.transaction(async (tx) => {
    await lock(tx);
    const refusal = await check(tx, values, limits, now);
    if (refusal) return { ok: false, refusal };
    const [row] = await tx
      .insert(videoUploads)
      .values({ ...values, state: "AWAITING_FILE", bytesSent: 0, createdAt: now, updatedAt: now })
      .returning();
    return { ok: true, row: row! };
  });
}

/**
 * Step 2, when the file body arrives: checked again (an announcement may be older than its hold,
 * or several may have been made before any file), and moved to RECEIVING in the same
 * transaction. Refused → the upload fails with the quota's code, before a byte is read.
 * Undefined when the row is no longer AWAITING_FILE (another request took it).
 */
export async function admitFile(db: Database, row: VideoUploadRow, limits: QuotaLimits, now: Date): Promise<Admission | undefined> {
  return db.transaction(async (tx) => {
    await lock(tx);
    const refusal = await check(tx, row, limits, now);
    const [moved] = await tx
      .update(videoUploads)
      .set(refusal ? { state: "FAILED", errorCode: refusal.code, completedAt: now, updatedAt: now } : { state: "RECEIVING", updatedAt: now })
      .where(and(eq(videoUploads.id, row.id), eq(videoUploads.state, "AWAITING_FILE")))
      .returning();
    if (!moved) return undefined;
    return refusal ? { ok: false, refusal, row: moved } : { ok: true, row: moved };
  });
}

async function lock(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${ADMISSION_LOCK_KEY})`);
}

async function check(tx: Tx, candidate: Candidate, limits: QuotaLimits, now: Date): Promise<QuotaRefusal | undefined> {
  const at = (ms: number) => new Date(now.getTime() - ms);
  const live = gt(videoUploads.updatedAt, at(limits.staleAfterMs));
  // In progress: announced a moment ago, or bytes arriving / being checked (and alive).
  const inProgress = or(
    and(eq(videoUploads.state, "AWAITING_FILE"), gt(videoUploads.createdAt, at(ANNOUNCED_HOLD_MS))),
    and(inArray(videoUploads.state, ["RECEIVING", "VALIDATING"]), live),
  )!;
  const onDisk = or(inProgress, and(eq(videoUploads.state, "UPLOADING"), live))!;
  const recentInbox = and(eq(videoUploads.accountId, candidate.accountId), eq(videoUploads.mode, "inbox"), gt(videoUploads.createdAt, at(PENDING_SHARE_WINDOW_MS)))!;
  const pendingShare = and(
    recentInbox,
    or(
      inProgress,
      inArray(videoUploads.state, ["UPLOADING", "PROCESSING_UPLOAD", "PROCESSING_DOWNLOAD", "SEND_TO_USER_INBOX"]),
      and(eq(videoUploads.state, "FAILED"), isNotNull(videoUploads.publishId), isNull(videoUploads.failReason)),
    ),
  )!;
  const mine = and(eq(videoUploads.userId, candidate.userId), inProgress)!;
  const mineOnDisk = and(eq(videoUploads.userId, candidate.userId), onDisk)!;
  const counted: SQL[] = [or(inArray(videoUploads.state, ["AWAITING_FILE", "RECEIVING", "VALIDATING", "UPLOADING"]), recentInbox)!];
  if (candidate.id) counted.push(ne(videoUploads.id, candidate.id));

  const [totals] = await tx
    .select({
      mine: sql<number>`count(*) filter (where ${mine})`.mapWith(Number),
      pending: sql<number>`count(*) filter (where ${pendingShare})`.mapWith(Number),
      oldestPending: sql<string | Date | null>`min(${videoUploads.createdAt}) filter (where ${pendingShare})`,
      onDisk: sql<number>`coalesce(sum(${videoUploads.totalBytes}) filter (where ${onDisk}), 0)::float8`.mapWith(Number),
      mineOnDisk: sql<number>`coalesce(sum(${videoUploads.totalBytes}) filter (where ${mineOnDisk}), 0)::float8`.mapWith(Number),
    })
    .from(videoUploads)
    .where(and(...counted));
  const { mine: busy = 0, pending = 0, oldestPending = null, onDisk: bytes = 0, mineOnDisk: myBytes = 0 } = totals ?? {};

  if (busy >= MAX_IN_PROGRESS_PER_USER) return { code: "too_many_uploads_in_progress" };
  if (candidate.mode === "inbox" && pending >= MAX_PENDING_SHARES) {
    const oldest = oldestPending ? new Date(oldestPending).getTime() : now.getTime();
    return { code: "pending_share_limit", retryAt: new Date(oldest + PENDING_SHARE_WINDOW_MS) };
  }
  if (myBytes + candidate.totalBytes > limits.userTmpShareBytes) return { code: "upload_disk_share_full" };
  if (bytes + candidate.totalBytes > limits.tmpMaxBytes) return { code: "upload_disk_full" };
  return undefined;
}
