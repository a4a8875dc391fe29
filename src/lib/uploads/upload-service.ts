import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { systemClock, type Clock } from "@/lib/clock";
import type { VideoUploadRow } from "@/lib/db/schema";
import { getLogger } from "@/lib/log/logger";
import type { TikTokApiClient } from "@/lib/providers/tiktok/api-client";
import type { CreatorInfo, DirectPostInfo } from "@/lib/providers/tiktok/api-schemas";
import { TikTokCallError } from "@/lib/providers/tiktok/call-errors";
import type { OwnedAccount } from "@/lib/connections/owned-accounts";
import { planChunks, type ChunkPlan } from "./chunk-plan";
import { ChunkUploadError, sendChunks } from "./chunk-sender";
import { ERROR_MESSAGES } from "./outcome-messages";
import { receiveToFile, ReceiveError } from "./receive-file";
import { storedPostInfoSchema, type StartUploadInput } from "./request-schemas";
import type { UploadConfig } from "./upload-config";
import type { QuotaRefusal } from "./upload-quotas";
import type { UploadStore } from "./upload-store";
import { acceptedUploadUrl } from "./upload-url";
import { toUploadView, type UploadView } from "./upload-view";
import { validateVideo } from "./validate-video";
import type { VideoContentType } from "./video-rules";
import { isOwnKey, ownValue } from "@/lib/own-key";

export type UploadResult =
  | { ok: true; status: number; upload: UploadView }
  | { ok: false; status: number; code: string; message: string; upload?: UploadView; retryAfterSec?: number };

/** What the upload page may offer for an account (scopes granted, creator_info). */
export interface PostingOptions {
  displayName: string;
  /** TikTok ended the grant: nothing can be posted until the account is reconnected. */
  reconnect: boolean;
  /** Its tokens do not decrypt here (SocialFlow's problem, being fixed): nothing can be posted for now. */
  unavailable: boolean;
  inbox: boolean;
  direct: boolean;
  creator?: CreatorInfo;
  /** Why creator_info could not be read (direct posting is then unavailable for now). */
  creatorError?: { code: string; message: string };
}

export interface UploadServiceDeps {
  store: UploadStore;
  api: Pick<TikTokApiClient, "queryCreatorInfo" | "initInboxUpload" | "initDirectPost" | "fetchPublishStatus">;
  config: UploadConfig;
  /** TIKTOK_API_BASE_URL: its origin is the one upload_url allowed besides TikTok's upload hosts (the sandbox). */
  apiBaseUrl: string;
  /** Called when a file has reached TikTok and its status should be polled. */
  onSent?: () => void;
  clock?: Clock;
  logger?: Logger;
}

/** How often, at most, progress is written while bytes flow (the page polls it). */
const PROGRESS_WRITE_MS = 250;
/** Retry-After when the temporary-disk budget (or the user's share of it) is full: files leave the disk as they reach TikTok. */
const DISK_FULL_RETRY_AFTER_SEC = 60;

/**
 * The upload flow of issue #6: record the intent, stream the file to a temporary file, check it
 * against TikTok's rules, init at TikTok (inbox or direct post), then send the chunks in the
 * background while the page polls the row. The temporary file is removed whatever happens.
 */
export class UploadService {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly transfers = new Map<string, Promise<void>>();

  constructor(private readonly deps: UploadServiceDeps) {
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? getLogger();
  }

  /** What the account can do: video.upload → inbox, video.publish → direct post (https://developers.tiktok.com/doc/content-posting-api-reference-upload-video). */
  async postingOptions(owned: OwnedAccount): Promise<PostingOptions> {
    const account = owned.row;
    const options: PostingOptions = {
      displayName: account.displayName,
      reconnect: account.status === "EXPIRED" || account.status === "REVOKED",
      unavailable: account.status === "UNREADABLE",
      inbox: account.scopes.includes("video.upload"),
      direct: account.scopes.includes("video.publish"),
    };
    if (options.direct && !options.reconnect && !options.unavailable) {
      try {
        options.creator = await this.deps.api.queryCreatorInfo(owned);
      } catch (error) {
        if (!(error instanceof TikTokCallError)) throw error;
        const code = errorCodeOf(error);
        options.creatorError = { code, message: ownValue(ERROR_MESSAGES, code) ?? ERROR_MESSAGES.rejected! };
      }
    }
    return options;
  }

  async list(account: OwnedAccount): Promise<UploadView[]> {
    return (await this.deps.store.listForAccount(account)).map(toUploadView);
  }

  /** The newest `perAccount` uploads of each of one owner's accounts, in one statement (the dashboard). */
  async listRecent(accounts: readonly OwnedAccount[], perAccount: number): Promise<Map<string, UploadView[]>> {
    const lists = await this.deps.store.listRecentForAccounts(accounts, perAccount);
    return new Map([...lists].map(([accountId, rows]) => [accountId, rows.map(toUploadView)]));
  }

  async get(account: OwnedAccount, uploadId: string): Promise<UploadView | undefined> {
    const row = await this.deps.store.findForUser(account, uploadId);
    return row && toUploadView(row);
  }

  /** Step 1: the account may post this way, the size fits, the direct-post choices are TikTok's. */
  async start(owned: OwnedAccount, input: StartUploadInput): Promise<UploadResult> {
    const { row: account, id: accountId, userId } = owned;
    if (account.status === "EXPIRED" || account.status === "REVOKED") return refusal(409, "reconnect_required");
    if (account.status === "UNREADABLE") return refusal(503, "account_unavailable");
    const canInbox = account.scopes.includes("video.upload");
    const canDirect = account.scopes.includes("video.publish");
    if (!canInbox && !canDirect) return refusal(403, "posting_not_approved");
    if ((input.mode === "inbox" && !canInbox) || (input.mode === "direct" && !canDirect)) return refusal(403, "scope_missing");
    if (input.size > this.deps.config.maxBytes) return refusal(413, "file_too_large");

    let creator: CreatorInfo | undefined;
    if (canDirect) {
      // TikTok's direct-post guide: query creator_info right before posting; it also gives the
      // creator's own duration limit, which the inbox path uses when it is available.
      try {
        creator = await this.deps.api.queryCreatorInfo(owned);
      } catch (error) {
        if (!(error instanceof TikTokCallError) || input.mode === "direct") return this.callFailure(error);
      }
    }
    let postInfo: DirectPostInfo | undefined;
    if (input.mode === "direct") {
      const post = input.post!;
      if (!creator!.privacy_level_options.includes(post.privacyLevel)) return refusal(422, "privacy_level_option_mismatch");
      postInfo = {
        privacy_level: post.privacyLevel,
        ...(post.title ? { title: post.title } : {}),
        // A setting the creator turned off in TikTok stays off (creator_info *_disabled).
        disable_comment: Boolean(post.disableComment) || creator!.comment_disabled,
        disable_duet: Boolean(post.disableDuet) || creator!.duet_disabled,
        disable_stitch: Boolean(post.disableStitch) || creator!.stitch_disabled,
      };
    }
    const admitted = await this.deps.store.createWithinQuotas(
      {
        id: randomBytes(16).toString("base64url"),
        accountId,
        userId,
        mode: input.mode,
        totalBytes: input.size,
        postInfo: postInfo ? { ...postInfo } : null,
        maxDurationSec: creator?.max_video_post_duration_sec ?? null,
        detail: input.type ? { claimedType: input.type } : null,
      },
      this.deps.config,
      this.clock.now(),
    );
    if (!admitted.ok) return this.quotaRefusal(admitted.refusal, userId, accountId);
    const row = admitted.row;
    this.logger.info({ event: "upload.started", uploadId: row.id, accountId, mode: row.mode, totalBytes: row.totalBytes });
    return { ok: true, status: 201, upload: toUploadView(row) };
  }

  /**
   * Step 2: the request body streams into a temporary file (never held whole), is checked,
   * and TikTok's upload is initialised; the chunks then go out in the background.
   */
  async receive(account: OwnedAccount, uploadId: string, body: ReadableStream<Uint8Array> | null, contentLength: number | undefined): Promise<UploadResult> {
    const { store, config } = this.deps;
    const found = await store.findForUser(account, uploadId);
    if (!found) return refusal(404, "not_found");
    if (found.state !== "AWAITING_FILE") return { ok: false, status: 409, code: "already_received", message: "This upload already has its file.", upload: toUploadView(found) };
    if (contentLength !== undefined && contentLength !== found.totalBytes) {
      const code = contentLength > found.totalBytes ? "file_too_large" : "size_mismatch";
      return this.fail(found, ["AWAITING_FILE"], contentLength > found.totalBytes ? 413 : 400, { errorCode: code });
    }
    // The quotas are checked again as the body arrives, before a byte of it is read.
    const admitted = await store.startReceivingWithinQuotas(found, config, this.clock.now());
    if (!admitted) return refusal(409, "already_received");
    if (!admitted.ok) return this.quotaRefusal(admitted.refusal, account.userId, account.id, admitted.row);
    const row = admitted.row;

    await mkdir(config.tmpDir, { recursive: true, mode: 0o700 });
    // Our own random id names the file: nothing the user sent is part of a path.
    const filePath = path.join(config.tmpDir, `${row.id}.upload`);
    let handedOff = false;
    const done = this.track(row.id);
    try {
      let lastTouch = this.clock.now().getTime();
      try {
        await receiveToFile(body, filePath, {
          maxBytes: config.maxBytes,
          expectedBytes: row.totalBytes,
          onProgress: () => {
            const now = this.clock.now();
            if (now.getTime() - lastTouch > 5_000) {
              lastTouch = now.getTime();
              void store.touch(row.id, now).catch(() => undefined);
            }
          },
        });
      } catch (error) {
        if (!(error instanceof ReceiveError)) throw error;
        const status = error.code === "too_large" ? 413 : 400;
        const errorCode = error.code === "too_large" ? "file_too_large" : error.code === "size_mismatch" ? "size_mismatch" : "file_incomplete";
        return await this.fail(row, ["RECEIVING"], status, { errorCode });
      }

      await store.transition(row.id, ["RECEIVING"], { state: "VALIDATING" }, this.clock.now());
      const claimedType = typeof row.detail?.claimedType === "string" ? (row.detail.claimedType as VideoContentType) : undefined;
      const check = await validateVideo(filePath, { maxDurationSec: row.maxDurationSec ?? undefined, claimedType }, { probeTimeoutMs: config.probeTimeoutMs });
      if (!check.ok) {
        const rejected = await store.transition(
          row.id,
          ["VALIDATING"],
          { state: "REJECTED", errorCode: "invalid_video", detail: { problems: check.problems, warnings: check.warnings }, completedAt: this.clock.now() },
          this.clock.now(),
        );
        this.logger.info({ event: "upload.rejected", uploadId: row.id, problems: check.problems.map((p) => p.code) });
        return { ok: false, status: 422, code: "invalid_video", message: ERROR_MESSAGES.invalid_video!, upload: rejected && toUploadView(rejected) };
      }

      const plan = planChunks(row.totalBytes, config.chunkBytes);
      const source = { source: "FILE_UPLOAD", video_size: plan.videoSize, chunk_size: plan.chunkSize, total_chunk_count: plan.totalChunkCount } as const;
      const ref = account;
      let init;
      try {
        init =
          row.mode === "inbox"
            ? await this.deps.api.initInboxUpload(ref, source)
            : await this.deps.api.initDirectPost(ref, storedPostInfoSchema.parse(row.postInfo) satisfies DirectPostInfo, source);
      } catch (error) {
        if (!(error instanceof TikTokCallError)) throw error;
        return await this.fail(row, ["VALIDATING"], error.httpStatus, {
          errorCode: errorCodeOf(error),
          detail: { warnings: check.warnings, ...retryAt(error, this.clock.now()) },
        });
      }
      if (!init.uploadUrl) return await this.fail(row, ["VALIDATING"], 502, { errorCode: "tiktok_unavailable", publishId: init.publishId });
      const uploadUrl = acceptedUploadUrl(init.uploadUrl, this.deps.apiBaseUrl);
      if (!uploadUrl) {
        // Logged without the URL (it carries TikTok's upload token): the code says enough.
        this.logger.warn({ event: "upload.url_refused", uploadId: row.id, mode: row.mode });
        return await this.fail(row, ["VALIDATING"], 502, { errorCode: "upload_url_refused", publishId: init.publishId });
      }

      const uploading = await store.transition(
        row.id,
        ["VALIDATING"],
        { state: "UPLOADING", publishId: init.publishId, contentType: check.contentType, detail: { warnings: check.warnings } },
        this.clock.now(),
      );
      if (!uploading) return refusal(409, "already_received");
      this.logger.info({ event: "upload.init", uploadId: row.id, mode: row.mode, chunks: plan.totalChunkCount });
      handedOff = true;
      void this.transfer(account, uploading, filePath, plan, uploadUrl, check.contentType).finally(done);
      return { ok: true, status: 202, upload: toUploadView(uploading) };
    } catch (error) {
      this.logger.error({ event: "upload.receive_failed", uploadId: row.id, err: error });
      return await this.fail(row, ["RECEIVING", "VALIDATING"], 500, { errorCode: "internal_error" });
    } finally {
      if (!handedOff) {
        await rm(filePath, { force: true });
        done();
      }
    }
  }

  /** Ids of uploads this process is working on (the stale sweep leaves them alone). */
  activeIds(): string[] {
    return [...this.transfers.keys()];
  }

  /** Resolves when every upload this process is working on has reached TikTok or failed. */
  async settled(): Promise<void> {
    while (this.transfers.size > 0) await Promise.allSettled([...this.transfers.values()]);
  }

  private track(id: string): () => void {
    let release!: () => void;
    this.transfers.set(id, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.transfers.delete(id);
      release();
    };
  }

  /** Step 3 (background): the chunks in order, progress written as they go, then status polling. */
  private async transfer(
    ref: OwnedAccount,
    row: VideoUploadRow,
    filePath: string,
    plan: ChunkPlan,
    uploadUrl: string,
    contentType: VideoContentType,
  ): Promise<void> {
    const { store, config } = this.deps;
    let latest = 0;
    let lastWrite = 0;
    let writing: Promise<void> = Promise.resolve();
    const write = () => {
      lastWrite = this.clock.now().getTime();
      const bytes = latest;
      writing = writing.then(() => store.recordBytesSent(row.id, bytes, this.clock.now())).catch(() => undefined);
    };
    try {
      await sendChunks({
        uploadUrl,
        filePath,
        plan,
        contentType,
        attempts: config.chunkAttempts,
        retryBaseMs: config.chunkRetryBaseMs,
        timeoutMs: config.chunkTimeoutMs,
        onProgress: (bytes) => {
          latest = bytes;
          if (this.clock.now().getTime() - lastWrite >= PROGRESS_WRITE_MS) write();
        },
        resync: async () => (await this.deps.api.fetchPublishStatus(ref, row.publishId!)).uploadedBytes,
      });
      await writing;
      const now = this.clock.now();
      await store.transition(row.id, ["UPLOADING"], { state: "PROCESSING_UPLOAD", bytesSent: row.totalBytes, nextPollAt: now, pollAttempts: 0 }, now);
      this.logger.info({ event: "upload.sent", uploadId: row.id });
      this.deps.onSent?.();
    } catch (error) {
      await writing;
      const code = error instanceof ChunkUploadError ? error.code : "internal_error";
      this.logger.warn({ event: "upload.send_failed", uploadId: row.id, code, status: error instanceof ChunkUploadError ? error.status : undefined });
      await store
        .transition(row.id, ["UPLOADING"], { state: "FAILED", errorCode: code, completedAt: this.clock.now() }, this.clock.now())
        .catch(() => undefined);
    } finally {
      await rm(filePath, { force: true });
    }
  }

  private async fail(
    row: VideoUploadRow,
    from: VideoUploadRow["state"][],
    status: number,
    patch: { errorCode: string; detail?: Record<string, unknown>; publishId?: string },
  ): Promise<UploadResult> {
    const now = this.clock.now();
    const failed = await this.deps.store.transition(row.id, from, { state: "FAILED", completedAt: now, ...patch }, now);
    this.logger.info({ event: "upload.failed", uploadId: row.id, code: patch.errorCode });
    return { ok: false, status, code: patch.errorCode, message: ownValue(ERROR_MESSAGES, patch.errorCode) ?? ERROR_MESSAGES.internal_error!, upload: failed && toUploadView(failed) };
  }

  /**
   * A full quota, in plain words: 429 for the user's (their share of the disk included) and the
   * account's, 503 for the shared disk.
   */
  private quotaRefusal(quota: QuotaRefusal, userId: string, accountId: string, row?: VideoUploadRow): UploadResult {
    this.logger.info({ event: "upload.quota_refused", userId, accountId, uploadId: row?.id, code: quota.code });
    const retryAfterSec =
      quota.code === "pending_share_limit"
        ? Math.max(1, Math.ceil((quota.retryAt.getTime() - this.clock.now().getTime()) / 1000))
        : quota.code === "upload_disk_full" || quota.code === "upload_disk_share_full"
          ? DISK_FULL_RETRY_AFTER_SEC
          : undefined;
    return {
      ok: false,
      status: quota.code === "upload_disk_full" ? 503 : 429,
      code: quota.code,
      message: ERROR_MESSAGES[quota.code]!,
      ...(row ? { upload: toUploadView(row) } : {}),
      ...(retryAfterSec !== undefined ? { retryAfterSec } : {}),
    };
  }

  private callFailure(error: unknown): UploadResult {
    if (!(error instanceof TikTokCallError)) throw error;
    const code = errorCodeOf(error);
    return { ok: false, status: error.httpStatus, code, message: ownValue(ERROR_MESSAGES, code) ?? ERROR_MESSAGES.rejected! };
  }
}

function refusal(status: number, code: string): UploadResult {
  return { ok: false, status, code, message: ownValue(ERROR_MESSAGES, code) ?? ERROR_MESSAGES.internal_error! };
}

/** TikTok's own code when it is a posting error we can word, else the client's outcome. */
export function errorCodeOf(error: TikTokCallError): string {
  const tiktok = error.details.tiktokCode;
  if (error.code === "rejected" && isOwnKey(ERROR_MESSAGES, tiktok)) return tiktok;
  return error.code;
}

function retryAt(error: TikTokCallError, now: Date): { retryAt?: string } {
  const sec = error.details.retryAfterSec;
  return sec === undefined ? {} : { retryAt: new Date(now.getTime() + sec * 1000).toISOString() };
}
