import type { Logger } from "pino";
import type { Database } from "@/lib/db/client";
import { systemClock, type Clock } from "@/lib/clock";
import { getLogger } from "@/lib/log/logger";
import { incrementMetric } from "@/lib/observability/metrics";
import type { RefreshOutcome, TokenRefresher } from "@/lib/connections/token-refresher";
import { releaseRefreshLease } from "@/lib/connections/refresh-lease";
import { claimDueAccounts } from "./claim-due";
import { requestReconnects } from "./request-reconnects";
import { SweepLoop, forEachBounded } from "@/lib/sweep-loop";

export interface SweepResult {
  claimed: number;
  /** "deferred": claimed, but its lease ran short before its turn; released for the next claim. */
  outcomes: Partial<Record<RefreshOutcome["status"] | "deferred", number>>;
}

/**
 * A refresh starts only with at least this much of its lease left: the token call (10 s
 * timeout) and the retried write of the rotated pair (≈ 8 s of pauses) must end under the
 * lease, or another worker may claim the row meanwhile and two refreshes of one account race.
 */
export const MIN_LEASE_LEFT_MS = 30_000;

export interface RefreshSweeperOptions {
  db: Database;
  refresher: Pick<TokenRefresher, "refreshLeased">;
  clock?: Clock;
  logger?: Logger;
  /** Accounts claimed per statement. */
  batchSize?: number;
  /** Refreshes in flight at once per worker. */
  concurrency?: number;
  /** Pause between sweeps when nothing was due. */
  idleMs?: number;
  minLeaseLeftMs?: number;
  /** How often the loop looks for refresh tokens near their end (`requestReconnects`). */
  reconnectCheckEveryMs?: number;
}

/**
 * The proactive refresher (issue #5): claims due accounts in batches, refreshes them with
 * bounded concurrency, and repeats. Several copies on one PostgreSQL share the work; stopping
 * lets the claimed batch finish, so no lease is left behind.
 */
export class RefreshSweeper {
  private readonly db: Database;
  private readonly refresher: RefreshSweeperOptions["refresher"];
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly minLeaseLeftMs: number;
  private readonly reconnectCheckEveryMs: number;
  private lastReconnectCheck = Number.NEGATIVE_INFINITY;
  private readonly loop: SweepLoop;

  constructor(options: RefreshSweeperOptions) {
    this.db = options.db;
    this.refresher = options.refresher;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? getLogger();
    this.batchSize = options.batchSize ?? 100;
    this.concurrency = options.concurrency ?? 16;
    this.minLeaseLeftMs = options.minLeaseLeftMs ?? MIN_LEASE_LEFT_MS;
    // A 14-day warning window needs no minute-by-minute checks; each check scans the accounts.
    this.reconnectCheckEveryMs = options.reconnectCheckEveryMs ?? 10 * 60_000;
    this.loop = new SweepLoop({
      sweepOnce: async () => (await this.sweepOnce()).claimed,
      betweenSweeps: () => this.requestReconnectsWhenDue(),
      batchSize: this.batchSize,
      idleMs: options.idleMs ?? 15_000,
      logger: this.logger,
      failedEvent: "sweeper.sweep_failed",
    });
  }

  /** One batch: claim, refresh all claimed, report. */
  async sweepOnce(): Promise<SweepResult> {
    let claim: Awaited<ReturnType<typeof claimDueAccounts>>;
    try {
      claim = await claimDueAccounts(this.db, { now: this.clock.now(), limit: this.batchSize });
    } catch (error) {
      incrementMetric("sf_sweeps_total", { result: "failed" });
      throw error;
    }
    const { leaseId, rows } = claim;
    const outcomes: SweepResult["outcomes"] = {};
    await forEachBounded(rows, this.concurrency, async (row) => {
      let status: keyof SweepResult["outcomes"];
      try {
        if (this.leaseTooShort(row.refreshLeaseUntil)) {
          // A slow TikTok made the batch outlast its lease: once it lapses another worker may
          // claim this row, and a refresh still running here would race it (https://developers.tiktok.com/doc/oauth-user-access-token-management
          // — the loser's invalid_grant can cost the account). Hand it back instead.
          await releaseRefreshLease(this.db, row.id, leaseId);
          status = "deferred";
        } else {
          status = (await this.refresher.refreshLeased(row, leaseId)).status;
        }
      } catch (error) {
        // A database hiccup mid-refresh: the lease lapses and the account is retried later.
        this.logger.error({ event: "sweeper.refresh_crashed", accountId: row.id, err: error });
        status = "failed";
      }
      outcomes[status] = (outcomes[status] ?? 0) + 1;
    });
    if (rows.length > 0) this.logger.info({ event: "sweeper.batch", claimed: rows.length, outcomes });
    incrementMetric("sf_sweeps_total", { result: "ok" });
    if (rows.length > 0) incrementMetric("sf_sweep_claimed_total", {}, rows.length);
    return { claimed: rows.length, outcomes };
  }

  /**
   * Flags accounts whose refresh token ends within the warning window so their users are
   * asked to reconnect in time (issue #5 §1). Each account is flagged once.
   */
  async requestReconnects(): Promise<number> {
    const flagged = await requestReconnects(this.db, { now: this.clock.now() });
    for (const { accountId } of flagged) this.logger.warn({ event: "token.reconnect_requested", accountId });
    if (flagged.length > 0) incrementMetric("sf_reconnects_requested_total", {}, flagged.length);
    return flagged.length;
  }

  /** Sweeps until nothing is due, then sleeps; repeats until stop(). */
  start(): void {
    this.loop.start();
  }

  /** Graceful stop: the batch in hand finishes, no new one is claimed. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  private async requestReconnectsWhenDue(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.lastReconnectCheck < this.reconnectCheckEveryMs) return;
    this.lastReconnectCheck = now;
    try {
      await this.requestReconnects();
    } catch (error) {
      this.logger.error({ event: "sweeper.reconnect_check_failed", err: error });
    }
  }

  private leaseTooShort(until: Date | null): boolean {
    return until === null || until.getTime() - this.clock.now().getTime() < this.minLeaseLeftMs;
  }
}
