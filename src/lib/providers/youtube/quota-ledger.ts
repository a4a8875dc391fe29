import type { Redis } from "ioredis";
import { systemClock, type Clock } from "@/lib/clock";
import { incrementMetric } from "@/lib/observability/metrics";
import { nextPacificMidnight, pacificDay } from "./pacific-day";

/**
 * Units each YouTube Data API method costs (https://developers.google.com/youtube/v3/determine_quota_cost).
 * Every request costs, an invalid one included. search.list is never used (its own tiny bucket).
 */
export const YOUTUBE_QUOTA_COSTS: ReadonlyMap<string, number> = new Map([
  ["channels.list", 1],
  ["playlistItems.list", 1],
  ["videos.list", 1],
]);

/** A Google Cloud project's default daily quota for the YouTube Data API. */
export const YOUTUBE_DEFAULT_DAILY_UNITS = 10_000;

export type QuotaDecision = { ok: true } | { ok: false; resetAt: Date };

/**
 * SocialFlow's ledger of the project's YouTube quota for the current Pacific day, so that it
 * stops before Google does: the quota belongs to the whole project (every user of this
 * deployment), so one user's reloads must not end everyone's day. Shared through Redis when the
 * app has it (one counter per day, expiring after it); otherwise each instance counts alone —
 * Google's own `quotaExceeded` still stops the rest, and `exhaust()` records it.
 */
export class YouTubeQuotaLedger {
  private readonly clock: Clock;
  private readonly dailyUnits: number;
  private readonly memory = new Map<string, number>();

  constructor(private readonly options: { dailyUnits?: number; redis?: Redis; keyPrefix?: string; clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
    this.dailyUnits = options.dailyUnits ?? YOUTUBE_DEFAULT_DAILY_UNITS;
  }

  /** Spends a method's units of today's quota, or says when the day ends. */
  async spend(method: string): Promise<QuotaDecision> {
    const units = YOUTUBE_QUOTA_COSTS.get(method);
    if (units === undefined) throw new Error("YouTubeQuotaLedger: unknown method");
    const now = this.clock.now();
    const used = await this.add(now, units);
    if (used <= this.dailyUnits) return { ok: true };
    incrementMetric("sf_provider_quota_refusals_total", { provider: "youtube" });
    return { ok: false, resetAt: nextPacificMidnight(now) };
  }

  /** Google answered quotaExceeded: nothing more is sent today, whatever this ledger counted. */
  async exhaust(): Promise<Date> {
    const now = this.clock.now();
    const used = await this.add(now, 0);
    if (used < this.dailyUnits) await this.add(now, this.dailyUnits - used);
    return nextPacificMidnight(now);
  }

  private async add(now: Date, units: number): Promise<number> {
    const day = pacificDay(now);
    const redis = this.options.redis;
    if (redis && redis.status === "ready") {
      const key = `${this.options.keyPrefix ?? "sf:youtube-quota"}:${day}`;
      const [[, used]] = (await redis
        .multi()
        .incrby(key, units)
        // The day's counter outlives the day by an hour, then goes.
        .pexpireat(key, nextPacificMidnight(now).getTime() + 3_600_000)
        .exec()) as [[Error | null, number]];
      return used;
    }
    for (const key of this.memory.keys()) if (key !== day) this.memory.delete(key);
    const used = (this.memory.get(day) ?? 0) + units;
    this.memory.set(day, used);
    return used;
  }
}
