import type { Logger } from "pino";
import type { Database } from "@/lib/db/client";
import type { SocialAccountRow } from "@/lib/db/schema";
import { systemClock, type Clock } from "@/lib/clock";
import { getLogger } from "@/lib/log/logger";
import { incrementMetric } from "@/lib/observability/metrics";
import type { AccountStatsSource } from "@/lib/connections/account-stats";
import { accountsOf } from "@/lib/connections/owned-accounts";
import type { Platform } from "@/lib/connections/provider";
import { ProviderCallError } from "@/lib/connections/recent-videos";
import { SweepLoop, forEachBounded } from "@/lib/sweep-loop";
import { claimDueSnapshots, rescheduleSnapshot } from "./claim-snapshots";
import { deleteExpiredSnapshots } from "./retention";
import { recordSnapshot } from "./snapshot-store";

/** After a failure the network may recover from (5xx, timeout), the account is tried again this soon. */
export const SNAPSHOT_RETRY_MS = 15 * 60_000;
/** A snapshot starts only with this much of its lease left (else another sweeper may claim the row). */
const MIN_LEASE_LEFT_MS = 30_000;

/** "ok", "deferred", "unsupported", "gone", "failed", or the provider's fixed call error code. */
export type SnapshotOutcome = string;

export interface SnapshotSweepResult {
  claimed: number;
  outcomes: Record<SnapshotOutcome, number>;
}

export interface SnapshotSweeperOptions {
  db: Database;
  /** Each provider's stats capability, by platform; an account of another platform is skipped. */
  sources: ReadonlyMap<Platform, AccountStatsSource>;
  /** ANALYTICS_INTERVAL. */
  intervalMs: number;
  /** ANALYTICS_RETENTION_DAYS. */
  retentionDays: number;
  clock?: Clock;
  logger?: Logger;
  /** Accounts claimed per statement. */
  batchSize?: number;
  /** Snapshots in flight at once per sweeper: small, the network's limits and the user budgets are shared. */
  concurrency?: number;
  /** Pause between sweeps when nothing was due. */
  idleMs?: number;
  /** How often the loop trims old snapshots. */
  retentionEveryMs?: number;
  leaseMs?: number;
}

/**
 * Takes the analytics snapshots (issue #13): claims due ACTIVE accounts with its own lease
 * (claim-snapshots.ts), reads each through its provider's stats capability, records the
 * snapshot and schedules the next one ANALYTICS_INTERVAL later. Its own loop, concurrency and
 * lease: it never holds, waits for or takes the refresh lease, and a failed call only moves the
 * account's next snapshot — it never changes the account's status. Several sweepers on one
 * database share the work; each account is snapshotted once per interval.
 */
export class SnapshotSweeper {
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly retentionEveryMs: number;
  private lastRetention = Number.NEGATIVE_INFINITY;
  private readonly loop: SweepLoop;

  constructor(private readonly options: SnapshotSweeperOptions) {
    this.db = options.db;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? getLogger();
    this.batchSize = options.batchSize ?? 50;
    this.concurrency = options.concurrency ?? 4;
    this.retentionEveryMs = options.retentionEveryMs ?? 10 * 60_000;
    this.loop = new SweepLoop({
      sweepOnce: async () => (await this.sweepOnce()).claimed,
      betweenSweeps: () => this.trimRetentionWhenDue(),
      batchSize: this.batchSize,
      idleMs: options.idleMs ?? 15_000,
      logger: this.logger,
      failedEvent: "analytics.sweep_failed",
    });
  }

  /** One batch: claim, snapshot all claimed, report. */
  async sweepOnce(): Promise<SnapshotSweepResult> {
    const { leaseId, rows } = await claimDueSnapshots(this.db, { now: this.clock.now(), limit: this.batchSize, leaseMs: this.options.leaseMs });
    const outcomes: SnapshotSweepResult["outcomes"] = {};
    await forEachBounded(rows, this.concurrency, async (row) => {
      const outcome = await this.snapshotLeased(row, leaseId);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      incrementMetric("sf_analytics_snapshots_total", { result: outcome });
    });
    if (rows.length > 0) this.logger.info({ event: "analytics.batch", claimed: rows.length, outcomes });
    return { claimed: rows.length, outcomes };
  }

  /** Trims snapshots older than the retention, in bounded batches. */
  async trimRetention(): Promise<number> {
    const deleted = await deleteExpiredSnapshots(this.db, { now: this.clock.now(), retentionDays: this.options.retentionDays });
    let total = 0;
    for (const [table, rows] of Object.entries(deleted)) {
      if (rows > 0) incrementMetric("sf_analytics_retention_deleted_total", { table }, rows);
      total += rows;
    }
    if (total > 0) this.logger.info({ event: "analytics.retention", deleted });
    return total;
  }

  /** Sweeps until nothing is due, then sleeps; repeats until stop(). */
  start(): void {
    this.loop.start();
  }

  /** Graceful stop: the batch in hand finishes, no new one is claimed. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  private async snapshotLeased(row: SocialAccountRow, leaseId: string): Promise<SnapshotOutcome> {
    const now = this.clock.now();
    try {
      if (row.analyticsLeaseUntil === null || row.analyticsLeaseUntil.getTime() - now.getTime() < MIN_LEASE_LEFT_MS) {
        // The batch outlasted its lease: hand the row back, still due, for the next claim.
        await rescheduleSnapshot(this.db, row.id, leaseId, row.analyticsDueAt);
        return "deferred";
      }
      const source = this.options.sources.get(row.platform);
      if (!source) {
        await rescheduleSnapshot(this.db, row.id, leaseId, this.after(now, this.options.intervalMs));
        return "unsupported";
      }
      // The sweeper acts for the account's owner: the account is reached as theirs, like a page would.
      const owned = await accountsOf(this.db, row.userId).get(row.id);
      if (!owned) return "gone";
      const reading = await source.read(owned);
      const takenAt = this.clock.now();
      await recordSnapshot(this.db, row.id, takenAt, reading);
      await rescheduleSnapshot(this.db, row.id, leaseId, this.after(takenAt, this.options.intervalMs));
      return "ok";
    } catch (error) {
      if (error instanceof ProviderCallError) {
        this.logger.warn({ event: "analytics.snapshot_failed", accountId: row.id, code: error.code, status: error.httpStatus });
        await this.rescheduleQuietly(row.id, leaseId, this.after(this.clock.now(), this.retryDelayMs(error)));
        return error.code;
      }
      // A database hiccup or a bug: logged, retried later; the account itself is left as it is.
      this.logger.error({ event: "analytics.snapshot_crashed", accountId: row.id, err: error });
      await this.rescheduleQuietly(row.id, leaseId, this.after(this.clock.now(), Math.min(this.options.intervalMs, SNAPSHOT_RETRY_MS)));
      return "failed";
    }
  }

  /**
   * When to try an account again after a failed call: a rate limit or quota after it lifts (at
   * least a minute); a verdict on the grant (reconnect, missing permission) at the next interval
   * — the refresher and the user deal with the grant; anything else in 15 minutes.
   */
  private retryDelayMs(error: ProviderCallError): number {
    const interval = this.options.intervalMs;
    if (error.httpStatus === 429) return Math.min(interval, Math.max(60_000, (error.retryAfterSec ?? 0) * 1000));
    if (error.httpStatus === 409 || error.httpStatus === 403 || error.httpStatus === 404) return interval;
    return Math.min(interval, SNAPSHOT_RETRY_MS);
  }

  private after(from: Date, ms: number): Date {
    return new Date(from.getTime() + ms);
  }

  private async rescheduleQuietly(accountId: string, leaseId: string, dueAt: Date): Promise<void> {
    try {
      await rescheduleSnapshot(this.db, accountId, leaseId, dueAt);
    } catch {
      // The database is away: the lease lapses and the account is claimed again.
    }
  }

  private async trimRetentionWhenDue(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.lastRetention < this.retentionEveryMs) return;
    this.lastRetention = now;
    try {
      await this.trimRetention();
    } catch (error) {
      this.logger.error({ event: "analytics.retention_failed", err: error });
    }
  }
}
