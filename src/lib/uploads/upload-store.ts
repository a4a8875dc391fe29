import { and, desc, eq, getTableColumns, inArray, lt, notInArray, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { prebuilt } from "@/lib/db/prebuilt";
import { socialAccounts, videoUploads, type VideoUploadRow } from "@/lib/db/schema";
import type { OwnedAccount } from "@/lib/connections/owned-accounts";
import { POLLED_STATES, type UploadState } from "./outcome-messages";
import { admitAnnouncement, admitFile, type Admission, type QuotaLimits } from "./upload-quotas";

export type NewUpload = Pick<VideoUploadRow, "id" | "accountId" | "userId" | "mode" | "totalBytes"> &
  Partial<Pick<VideoUploadRow, "postInfo" | "maxDurationSec" | "detail">>;
export type UploadPatch = Partial<
  Pick<
    VideoUploadRow,
    "state" | "publishId" | "bytesSent" | "contentType" | "failReason" | "errorCode" | "detail" | "nextPollAt" | "pollAttempts" | "completedAt"
  >
>;

/** Steps that are ours (the app is working on them) and that an instance restart interrupts. */
const IN_FLIGHT_STATES: UploadState[] = ["AWAITING_FILE", "RECEIVING", "VALIDATING", "UPLOADING"];

type UploadColumn = keyof VideoUploadRow;
const UPLOAD_COLUMNS = Object.keys(getTableColumns(videoUploads)) as UploadColumn[];

// The upload page polls an upload's status every few seconds: built once (src/lib/db/prebuilt.ts).
const uploadOfOwner = prebuilt("upload_of_owner", (db) =>
  db
    .select()
    .from(videoUploads)
    .where(
      and(
        eq(videoUploads.id, sql.placeholder("id")),
        eq(videoUploads.userId, sql.placeholder("userId")),
        eq(videoUploads.accountId, sql.placeholder("accountId")),
      ),
    ),
);

/** The video_uploads table: every query scoped to what it needs, nothing else touches it. */
export class UploadStore {
  constructor(private readonly db: Database) {}

  async create(values: NewUpload, now: Date): Promise<VideoUploadRow> {
    const [row] = await this.db
      .insert(videoUploads)
      .values({ ...values, state: "AWAITING_FILE", bytesSent: 0, createdAt: now, updatedAt: now })
      .returning();
    return row!;
  }

  /** `create` within the upload quotas (upload-quotas.ts): refused when one is full. */
  async createWithinQuotas(values: NewUpload, limits: QuotaLimits, now: Date): Promise<Admission> {
    return admitAnnouncement(this.db, values, limits, now);
  }

  /** AWAITING_FILE → RECEIVING within the upload quotas; undefined when the row already moved on. */
  async startReceivingWithinQuotas(row: VideoUploadRow, limits: QuotaLimits, now: Date): Promise<Admission | undefined> {
    return admitFile(this.db, row, limits, now);
  }

  /** An upload of the owner's account: another user's, or another account's, is not found. */
  async findForUser(account: OwnedAccount, id: string): Promise<VideoUploadRow | undefined> {
    const [row] = await uploadOfOwner(this.db).execute({ id, userId: account.userId, accountId: account.id });
    return row;
  }

  async listForAccount(account: OwnedAccount, limit = 20): Promise<VideoUploadRow[]> {
    return this.db
      .select()
      .from(videoUploads)
      .where(and(eq(videoUploads.userId, account.userId), eq(videoUploads.accountId, account.id)))
      .orderBy(desc(videoUploads.createdAt))
      .limit(limit);
  }

  /**
   * The newest `perAccount` uploads of each of one owner's accounts (the dashboard), in one
   * statement: for each of the owner's accounts, a lateral subquery reads its newest uploads
   * from the (account_id, created_at) index and stops at `perAccount`, so an account with a long
   * history costs no more than one with a short one. Scoped like `listForAccount`, twice: the
   * accounts are the owner's (`social_accounts.user_id`) and so are the uploads
   * (`video_uploads.user_id`), so one filed under these account ids by anyone else never comes back.
   */
  async listRecentForAccounts(accounts: readonly OwnedAccount[], perAccount: number): Promise<Map<string, VideoUploadRow[]>> {
    const lists = new Map(accounts.map((a) => [a.id, [] as VideoUploadRow[]]));
    const userId = accounts[0]?.userId;
    if (userId === undefined) return lists;
    if (accounts.some((a) => a.userId !== userId)) throw new Error("listRecentForAccounts: accounts of one user only");
    const latest = this.db
      .select()
      .from(videoUploads)
      .where(and(eq(videoUploads.accountId, socialAccounts.id), eq(videoUploads.userId, userId)))
      .orderBy(desc(videoUploads.createdAt), desc(videoUploads.id))
      .limit(perAccount)
      .as("latest");
    // Every column of the lateral subquery by name ("latest"."id", …): a subquery selected as one
    // field would be a scalar subquery, and `select()` would also read every account column.
    const columns = Object.fromEntries(UPLOAD_COLUMNS.map((name) => [name, latest[name]])) as { [K in UploadColumn]: (typeof latest)[K] };
    const rows = await this.db
      .select({ upload: columns })
      .from(socialAccounts)
      .innerJoinLateral(latest, sql`true`)
      .where(and(eq(socialAccounts.userId, userId), inArray(socialAccounts.id, [...lists.keys()])))
      .orderBy(socialAccounts.id, desc(latest.createdAt), desc(latest.id));
    for (const { upload } of rows) lists.get(upload.accountId)?.push(upload);
    return lists;
  }

  /** Moves a row on only if it is still in one of `from` (two requests never both win). */
  async transition(id: string, from: UploadState[], patch: UploadPatch, now: Date): Promise<VideoUploadRow | undefined> {
    const [row] = await this.db
      .update(videoUploads)
      .set({ ...patch, updatedAt: now })
      .where(and(eq(videoUploads.id, id), inArray(videoUploads.state, from)))
      .returning();
    return row;
  }

  /** Progress only moves forward and only while the chunks are going out. */
  async recordBytesSent(id: string, bytes: number, now: Date): Promise<void> {
    await this.db
      .update(videoUploads)
      .set({ bytesSent: bytes, updatedAt: now })
      .where(and(eq(videoUploads.id, id), eq(videoUploads.state, "UPLOADING"), lt(videoUploads.bytesSent, bytes)));
  }

  /** A sign of life while a long step runs, so the stale sweep leaves it alone. */
  async touch(id: string, now: Date): Promise<void> {
    await this.db.update(videoUploads).set({ updatedAt: now }).where(eq(videoUploads.id, id));
  }

  /**
   * Claims up to `limit` uploads whose status poll is due and pushes their next poll past a
   * lease, in one statement: `FOR UPDATE SKIP LOCKED` lets several instances poll without
   * waiting on or double-claiming each other's rows.
   */
  async claimDuePolls(now: Date, limit: number, leaseMs: number): Promise<VideoUploadRow[]> {
    const at = now.toISOString();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    return this.db
      .update(videoUploads)
      .set({ nextPollAt: leaseUntil, pollAttempts: sql`${videoUploads.pollAttempts} + 1` })
      .where(
        sql`${videoUploads.id} in (
          select id from video_uploads
          where state in ('PROCESSING_UPLOAD', 'PROCESSING_DOWNLOAD')
            and next_poll_at <= ${at}
          order by next_poll_at
          limit ${limit}
          for update skip locked
        )`,
      )
      .returning();
  }

  /** When the next poll of any upload is due (to sleep until then). */
  async nextPollAt(): Promise<Date | undefined> {
    const [row] = await this.db
      .select({ at: sql<string | Date | null>`min(${videoUploads.nextPollAt})` })
      .from(videoUploads)
      .where(inArray(videoUploads.state, [...POLLED_STATES]));
    return row?.at ? new Date(row.at) : undefined;
  }

  /**
   * Uploads stuck in one of our own steps with no sign of life since `before`: their process
   * is gone (restart, crash, closed page), and with it the file and the upload URL.
   */
  async failStale(before: Date, activeIds: string[], now: Date): Promise<number> {
    const rows = await this.db
      .update(videoUploads)
      .set({ state: "FAILED", errorCode: "interrupted", completedAt: now, updatedAt: now, nextPollAt: null })
      .where(
        and(
          inArray(videoUploads.state, IN_FLIGHT_STATES),
          lt(videoUploads.updatedAt, before),
          activeIds.length > 0 ? notInArray(videoUploads.id, activeIds) : undefined,
        ),
      )
      .returning({ id: videoUploads.id });
    return rows.length;
  }
}
