import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Redis } from "ioredis";
import { incrementMetric } from "@/lib/observability/metrics";

export type BudgetDecision = { ok: true } | { ok: false; retryAfterSec: number };

export interface UserBudgetOptions {
  perMinute: number;
  perDay: number;
  /** Shared counters across instances; without it each process counts alone. */
  redis?: Redis;
  keyPrefix?: string;
}

/**
 * SocialFlow's own per-user budget for TikTok calls (phase plan: 100/min, 1000/day), checked
 * before any call leaves (SECURITY.md S35). With Redis, every instance shares the counters;
 * if Redis is unreachable each instance falls back to its own in-memory counters — the
 * documented direction: limits loosen to at most N× across N instances, calls are never
 * refused merely because Redis is down, and TikTok's own limit still applies.
 */
export class UserBudget {
  private readonly limiters: RateLimiterAbstract[];
  private readonly redis: Redis | undefined;
  private readonly windows: string[];

  constructor(options: UserBudgetOptions) {
    this.redis = options.redis;
    const prefix = options.keyPrefix ?? "sf:budget";
    const make = (points: number, duration: number, name: string): RateLimiterAbstract => {
      const memory = new RateLimiterMemory({ points, duration, keyPrefix: `${prefix}:${name}` });
      if (!options.redis) return memory;
      return new RateLimiterRedis({
        storeClient: options.redis,
        points,
        duration,
        keyPrefix: `${prefix}:${name}`,
        insuranceLimiter: memory,
      });
    };
    this.limiters = [make(options.perMinute, 60, "min"), make(options.perDay, 86_400, "day")];
    this.windows = ["min", "day"];
  }

  /** Spends one call of `userId`'s budget, or says when to come back. */
  async consume(userId: string): Promise<BudgetDecision> {
    // Counted in memory by this instance alone (the insurance limiter): an operator should know.
    if (this.redis && this.redis.status !== "ready") incrementMetric("sf_budget_redis_unavailable_total");
    for (const [index, limiter] of this.limiters.entries()) {
      try {
        await limiter.consume(userId, 1);
      } catch (rejection) {
        // rate-limiter-flexible rejects with a RateLimiterRes, not an Error (DESIGN.md).
        if (rejection instanceof RateLimiterRes) {
          incrementMetric("sf_budget_refusals_total", { window: this.windows[index]! });
          return { ok: false, retryAfterSec: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
        }
        throw rejection;
      }
    }
    return { ok: true };
  }
}
