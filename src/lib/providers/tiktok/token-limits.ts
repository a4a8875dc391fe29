import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { incrementMetric } from "@/lib/observability/metrics";
import { noteRedisFallback, type LimitDecision } from "@/lib/connections/limiter";

/**
 * TikTok's own limits per access token and endpoint, per minute:
 * https://developers.tiktok.com/doc/tiktok-api-v2-rate-limit (600/min for user info and video
 * list) and the Content Posting API reference
 * (https://developers.tiktok.com/doc/content-posting-api-reference-query-creator-info: 20/min;
 * https://developers.tiktok.com/doc/content-posting-api-reference-get-video-status: 30/min;
 * video init and inbox init: 6/min). Counted per account rather than per token: an account has
 * one live access token at a time, and a refresh starting a new token's window early only
 * makes SocialFlow stricter than TikTok, never looser.
 */
export const TIKTOK_PER_TOKEN_PER_MINUTE: ReadonlyMap<string, number> = new Map([
  ["user_info", 600],
  ["video_list", 600],
  ["creator_info", 20],
  ["inbox_init", 6],
  ["video_init", 6],
  ["status", 30],
]);

const WINDOW_MS = 60_000;

/**
 * One sliding minute per key in Redis, atomically: drop the calls older than a minute, refuse
 * when `limit` remain (answering the ms until the oldest leaves), else record this call.
 */
const SLIDING_CONSUME = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tonumber(oldest[2]) + tonumber(ARGV[2]) - tonumber(ARGV[1])
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0`;

/**
 * Keeps SocialFlow inside TikTok's per-token limits before a call leaves, shared across
 * instances through Redis when the app has it (as the per-user budget is). Every caller of an
 * endpoint for one account — page renders, upload starts, the status poller of any instance —
 * draws from the same minute, so two uploads on one account cannot together exceed TikTok's
 * 30 status requests a minute.
 *
 * TikTok's minute is a SLIDING one (https://developers.tiktok.com/doc/tiktok-api-v2-rate-limit):
 * a fixed window would let a full minute's calls out just before its end and again just after,
 * twice the limit within one real minute, and TikTok would answer 429. So each key keeps the
 * times of its calls of the last minute (a sorted set in Redis; in memory without Redis, or while
 * Redis is unavailable — then the limit holds per instance, as the budget's insurance does).
 */
export class TokenEndpointLimits {
  private readonly redis: Redis | undefined;
  private readonly prefix: string;
  private readonly perMinute: ReadonlyMap<string, number>;
  /** key → times (ms, ascending) of the calls within the last minute. */
  private readonly memory = new Map<string, number[]>();
  private consumesSinceSweep = 0;

  constructor(options: { redis?: Redis; keyPrefix?: string; perMinute?: ReadonlyMap<string, number> } = {}) {
    this.redis = options.redis;
    this.prefix = options.keyPrefix ?? "sf:token";
    this.perMinute = options.perMinute ?? TIKTOK_PER_TOKEN_PER_MINUTE;
  }

  /** Spends one call of `endpoint` for `accountId`; an endpoint without a known limit is not counted. */
  async consume(accountId: string, endpoint: string): Promise<LimitDecision> {
    const limit = this.perMinute.get(endpoint);
    if (limit === undefined) return { ok: true };
    noteRedisFallback(this.redis);
    const key = `${this.prefix}:${endpoint}:${accountId}`;
    const now = Date.now();
    const waitMs = (await this.consumeInRedis(key, limit, now)) ?? this.consumeInMemory(key, limit, now);
    if (waitMs <= 0) return { ok: true };
    incrementMetric("sf_token_limit_refusals_total", { endpoint });
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Gives back a point spent for a call that then did not leave (refused by the user's budget). */
  async refund(accountId: string, endpoint: string): Promise<void> {
    if (!this.perMinute.has(endpoint)) return;
    const key = `${this.prefix}:${endpoint}:${accountId}`;
    if (this.redis !== undefined) {
      try {
        await this.redis.zpopmax(key);
        return;
      } catch {
        // Redis went away: the point may have been spent in memory.
      }
    }
    this.memory.get(key)?.pop();
  }

  /** The ms to wait (0: the call was recorded), or undefined when Redis cannot answer. */
  private async consumeInRedis(key: string, limit: number, now: number): Promise<number | undefined> {
    // Tried whenever there is a client, as rate-limiter-flexible does: the app's client fails at
    // once while disconnected (no offline queue), and then memory answers.
    if (this.redis === undefined) return undefined;
    try {
      const member = `${now}:${randomBytes(6).toString("hex")}`;
      return Number(await this.redis.eval(SLIDING_CONSUME, 1, key, String(now), String(WINDOW_MS), String(limit), member));
    } catch {
      return undefined;
    }
  }

  private consumeInMemory(key: string, limit: number, now: number): number {
    if (++this.consumesSinceSweep >= 10_000) this.sweep(now);
    let calls = this.memory.get(key);
    if (calls === undefined) {
      calls = [];
      this.memory.set(key, calls);
    }
    let drop = 0;
    while (drop < calls.length && (calls[drop] ?? 0) <= now - WINDOW_MS) drop++;
    if (drop > 0) calls.splice(0, drop);
    if (calls.length >= limit) return Math.max(1, (calls[0] ?? now) + WINDOW_MS - now);
    calls.push(now);
    return 0;
  }

  /** Forgets keys with no call in the last minute, so idle accounts hold no memory. */
  private sweep(now: number): void {
    this.consumesSinceSweep = 0;
    for (const [key, calls] of this.memory) if ((calls[calls.length - 1] ?? 0) <= now - WINDOW_MS) this.memory.delete(key);
  }
}
