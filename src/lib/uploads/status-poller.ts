import type { Logger } from "pino";
import { systemClock, type Clock } from "@/lib/clock";
import type { VideoUploadRow } from "@/lib/db/schema";
import type { Database } from "@/lib/db/client";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { getLogger } from "@/lib/log/logger";
import type { TikTokApiClient } from "@/lib/providers/tiktok/api-client";
import { TikTokCallError } from "@/lib/providers/tiktok/call-errors";
import { POLLED_STATES, safeFailReason } from "./outcome-messages";
import type { UploadConfig } from "./upload-config";
import type { UploadStore } from "./upload-store";
import { errorCodeOf } from "./upload-service";

export interface StatusPollerDeps {
  /** To reach each upload's account as the upload's own owner (owned-accounts.ts). */
  db: Database;
  store: UploadStore;
  api: Pick<TikTokApiClient, "fetchPublishStatus">;
  config: UploadConfig;
  /** Uploads this process is still working on (never swept as stale). */
  activeIds: () => string[];
  clock?: Clock;
  logger?: Logger;
}

const BATCH = 20;
/** A claimed row is not claimed again (by any instance) for this long. */
const LEASE_MS = 60_000;
/** Longest sleep between rounds: rows another instance handed over are seen within it. */
const IDLE_MS = 30_000;
const MAX_INTERVAL_MS = 60_000;

/**
 * Polls TikTok's status/fetch for uploads whose bytes have arrived, until SEND_TO_USER_INBOX,
 * PUBLISH_COMPLETE or FAILED (https://developers.tiktok.com/doc/content-posting-api-reference-upload-video). State lives in video_uploads, not in memory,
 * so an instance that starts resumes every upload still in PROCESSING_*; rows are claimed with
 * FOR UPDATE SKIP LOCKED so several instances share the work. TikTok allows 30 status requests
 * a minute per token: the interval starts at `pollIntervalMs` and doubles every 5 polls up to a
 * minute (processing takes "about one minute" per GB, moderation sometimes hours).
 */
export class UploadStatusPoller {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(private readonly deps: StatusPollerDeps) {
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? getLogger();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Something became due (a file reached TikTok): poll now rather than at the next tick. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One round: sweep interrupted uploads, poll what is due. Returns how many rows were polled. */
  async runOnce(): Promise<number> {
    const { store, config } = this.deps;
    const now = this.clock.now();
    const stale = await store.failStale(new Date(now.getTime() - config.staleAfterMs), this.deps.activeIds(), now);
    if (stale > 0) this.logger.warn({ event: "upload.interrupted", count: stale });
    const rows = await store.claimDuePolls(now, BATCH, LEASE_MS);
    for (const row of rows) await this.pollOne(row);
    return rows.length;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    // Polling must never keep a process (a test, a script) alive on its own.
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    let delay = IDLE_MS;
    this.running = (async () => {
      try {
        const polled = await this.runOnce();
        const next = await this.deps.store.nextPollAt();
        if (polled === BATCH) delay = 0;
        else if (next) delay = Math.max(10, Math.min(IDLE_MS, next.getTime() - this.clock.now().getTime()));
      } catch (error) {
        this.logger.error({ event: "upload.poll_round_failed", err: error });
        delay = Math.min(IDLE_MS, this.deps.config.pollIntervalMs * 4);
      }
    })();
    await this.running;
    this.running = undefined;
    if (this.again) {
      this.again = false;
      delay = 0;
    }
    this.schedule(delay);
  }

  private interval(attempts: number): number {
    return Math.min(MAX_INTERVAL_MS, this.deps.config.pollIntervalMs * 2 ** Math.floor(Math.max(0, attempts - 1) / 5));
  }

  private async pollOne(row: VideoUploadRow): Promise<void> {
    const { store, config } = this.deps;
    const now = this.clock.now();
    const from = [...POLLED_STATES];
    if (now.getTime() - row.createdAt.getTime() > config.pollGiveUpMs) {
      await store.transition(row.id, from, { state: "FAILED", errorCode: "status_timeout", completedAt: now, nextPollAt: null }, now);
      return;
    }
    try {
      // A background job: the user is the upload's own, so this is the owner's view of the account.
      const account = await accountsOf(this.deps.db, row.userId).get(row.accountId);
      if (!account) throw new TikTokCallError("not_found");
      const status = await this.deps.api.fetchPublishStatus(account, row.publishId!);
      const at = this.clock.now();
      switch (status.status) {
        case "SEND_TO_USER_INBOX":
        case "PUBLISH_COMPLETE":
          await store.transition(row.id, from, { state: status.status, bytesSent: row.totalBytes, completedAt: at, nextPollAt: null }, at);
          this.logger.info({ event: "upload.completed", uploadId: row.id, status: status.status });
          return;
        case "FAILED": {
          // FAILED arrives with error.code "ok": the request worked, the publish did not.
          const failReason = safeFailReason(status.failReason);
          await store.transition(row.id, from, { state: "FAILED", failReason, completedAt: at, nextPollAt: null }, at);
          this.logger.info({ event: "upload.tiktok_failed", uploadId: row.id, failReason });
          return;
        }
        default:
          await store.transition(row.id, from, { state: status.status, nextPollAt: new Date(at.getTime() + this.interval(row.pollAttempts)) }, at);
      }
    } catch (error) {
      const at = this.clock.now();
      if (error instanceof TikTokCallError && (error.code === "rate_limited" || error.code === "budget_exceeded" || error.code === "tiktok_unavailable" || error.code === "account_unavailable")) {
        const waitMs = Math.max(this.interval(row.pollAttempts), (error.details.retryAfterSec ?? 0) * 1000);
        await store.transition(row.id, from, { nextPollAt: new Date(at.getTime() + waitMs) }, at);
        return;
      }
      if (error instanceof TikTokCallError) {
        // The grant is gone or TikTok no longer knows the publish: nothing more can be learned.
        await store.transition(row.id, from, { state: "FAILED", errorCode: errorCodeOf(error), completedAt: at, nextPollAt: null }, at);
        return;
      }
      this.logger.error({ event: "upload.poll_failed", uploadId: row.id, err: error });
      await store.transition(row.id, from, { nextPollAt: new Date(at.getTime() + this.interval(row.pollAttempts)) }, at);
    }
  }
}
