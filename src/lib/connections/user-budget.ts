import type { RateLimiterAbstract } from "rate-limiter-flexible";
import type { Redis } from "ioredis";
import { incrementMetric } from "@/lib/observability/metrics";
import { consumePoint, createLimiter, noteRedisFallback, type LimitDecision } from "./limiter";

export type BudgetDecision = LimitDecision;

export interface UserBudgetOptions {
  perMinute: number;
  perDay: number;
  /** Shared counters across instances; without it each process counts alone. */
  redis?: Redis;
  keyPrefix?: string;
}

/**
 * SocialFlow's own per-user budget of provider calls (100/min, 1000/day by default; one for
 * TikTok, another for YouTube: S70), checked before any call leaves (docs/security.md, S35).
 * With Redis, every instance shares the counters; if Redis is unreachable each instance falls
 * back to its own in-memory counters — the documented direction: limits loosen to at most N×
 * across N instances, calls are never refused merely because Redis is down, and the
 * provider's own limit still applies.
 */
export class UserBudget {
  private readonly windows: { name: string; limiter: RateLimiterAbstract }[];
  private readonly redis: Redis | undefined;

  constructor(options: UserBudgetOptions) {
    this.redis = options.redis;
    const prefix = options.keyPrefix ?? "sf:budget";
    this.windows = [
      { name: "min", limiter: createLimiter({ points: options.perMinute, durationSec: 60, keyPrefix: `${prefix}:min`, redis: options.redis }) },
      { name: "day", limiter: createLimiter({ points: options.perDay, durationSec: 86_400, keyPrefix: `${prefix}:day`, redis: options.redis }) },
    ];
  }

  /** Spends one call of `userId`'s budget, or says when to come back. */
  async consume(userId: string): Promise<BudgetDecision> {
    noteRedisFallback(this.redis);
    for (const window of this.windows) {
      const decision = await consumePoint(window.limiter, userId);
      if (!decision.ok) {
        incrementMetric("sf_budget_refusals_total", { window: window.name });
        return decision;
      }
    }
    return { ok: true };
  }
}
