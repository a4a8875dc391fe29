import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Redis } from "ioredis";
import { incrementMetric } from "@/lib/observability/metrics";

export type LimitDecision = { ok: true } | { ok: false; retryAfterSec: number };

/**
 * One counter window: shared through Redis when the app has it, with an in-memory insurance
 * limiter so a Redis outage loosens the limit to per-instance rather than refusing calls
 * (rate-limiter-flexible's `insuranceLimiter`).
 */
export function createLimiter(options: { points: number; durationSec: number; keyPrefix: string; redis?: Redis }): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ points: options.points, duration: options.durationSec, keyPrefix: options.keyPrefix });
  if (!options.redis) return memory;
  return new RateLimiterRedis({
    storeClient: options.redis,
    points: options.points,
    duration: options.durationSec,
    keyPrefix: options.keyPrefix,
    insuranceLimiter: memory,
  });
}

/** Counted in memory by this instance alone (the insurance limiter): an operator should know. */
export function noteRedisFallback(redis: Redis | undefined): void {
  if (redis && redis.status !== "ready") incrementMetric("sf_budget_redis_unavailable_total");
}

/**
 * Spends one point of `key`, or says when to come back. rate-limiter-flexible rejects with a
 * RateLimiterRes, not an Error; anything else is a real failure and is thrown.
 */
export async function consumePoint(limiter: RateLimiterAbstract, key: string): Promise<LimitDecision> {
  try {
    await limiter.consume(key, 1);
    return { ok: true };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return { ok: false, retryAfterSec: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
    throw rejection;
  }
}
