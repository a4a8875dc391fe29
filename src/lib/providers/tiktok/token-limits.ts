import type { RateLimiterAbstract } from "rate-limiter-flexible";
import type { Redis } from "ioredis";
import { incrementMetric } from "@/lib/observability/metrics";
import { consumePoint, createLimiter, noteRedisFallback, type LimitDecision } from "@/lib/connections/limiter";

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

/**
 * Keeps SocialFlow inside TikTok's per-token limits before a call leaves, shared across
 * instances through Redis when the app has it (as the per-user budget is). Every caller of an
 * endpoint for one account — page renders, upload starts, the status poller of any instance —
 * draws from the same minute, so two uploads on one account cannot together exceed TikTok's
 * 30 status requests a minute.
 */
export class TokenEndpointLimits {
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  private readonly redis: Redis | undefined;

  constructor(options: { redis?: Redis; keyPrefix?: string; perMinute?: ReadonlyMap<string, number> } = {}) {
    this.redis = options.redis;
    const prefix = options.keyPrefix ?? "sf:token";
    for (const [endpoint, points] of options.perMinute ?? TIKTOK_PER_TOKEN_PER_MINUTE) {
      this.limiters.set(endpoint, createLimiter({ points, durationSec: 60, keyPrefix: `${prefix}:${endpoint}`, redis: options.redis }));
    }
  }

  /** Spends one call of `endpoint` for `accountId`; an endpoint without a known limit is not counted. */
  async consume(accountId: string, endpoint: string): Promise<LimitDecision> {
    const limiter = this.limiters.get(endpoint);
    if (!limiter) return { ok: true };
    noteRedisFallback(this.redis);
    const decision = await consumePoint(limiter, accountId);
    if (!decision.ok) incrementMetric("sf_token_limit_refusals_total", { endpoint });
    return decision;
  }

  /** Gives back a point spent for a call that then did not leave (refused by the user's budget). */
  async refund(accountId: string, endpoint: string): Promise<void> {
    await this.limiters.get(endpoint)?.reward(accountId, 1);
  }
}
