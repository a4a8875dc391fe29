import { youTubeErrorSchema } from "./api-schemas";

/**
 * What SocialFlow does with each YouTube error reason
 * (https://developers.google.com/youtube/v3/docs/errors):
 * - `refresh_and_retry`: the access token is not accepted (authError) — refresh once, then reconnect;
 * - `grant_permission`: a scope was not granted (granular consent) — ask for it again;
 * - `quota_exhausted`: the project's daily quota is gone — nothing more until midnight Pacific;
 * - `rate_limited`: a short-term limit — back off;
 * - `no_channel`: the Google identity has no YouTube channel;
 * - `empty`: the uploads playlist does not exist yet — a channel with no videos;
 * - `transient` (5xx) and `rejected` (anything else).
 */
export type YouTubeErrorOutcome = "refresh_and_retry" | "grant_permission" | "quota_exhausted" | "rate_limited" | "no_channel" | "empty" | "transient" | "rejected";

/** A Map, not an object literal: a reason of `constructor` must not find a prototype member (S47). */
const OUTCOMES: ReadonlyMap<string, YouTubeErrorOutcome> = new Map([
  ["authError", "refresh_and_retry"],
  ["insufficientPermissions", "grant_permission"],
  ["quotaExceeded", "quota_exhausted"],
  ["dailyLimitExceeded", "quota_exhausted"],
  ["rateLimitExceeded", "rate_limited"],
  ["userRateLimitExceeded", "rate_limited"],
  ["youtubeSignupRequired", "no_channel"],
  ["playlistNotFound", "empty"],
]);

export class YouTubeApiError extends Error {
  override readonly name = "YouTubeApiError";
  constructor(
    /** The first error's reason (from Google's closed list), or `unknown`; never Google's message. */
    readonly reason: string,
    readonly status: number,
    readonly outcome: YouTubeErrorOutcome,
  ) {
    super(`YouTube API error: ${reason} (${status})`);
  }
}

/** The outcome of a non-2xx YouTube answer; the body is parsed, never echoed. */
export function youTubeError(status: number, body: unknown): YouTubeApiError {
  const parsed = youTubeErrorSchema.safeParse(body);
  const reason = parsed.success ? (parsed.data.error.errors?.[0]?.reason ?? "unknown") : "unknown";
  const known = /^[A-Za-z]{1,64}$/.test(reason) ? reason : "unknown";
  const outcome = OUTCOMES.get(known) ?? (status === 429 ? "rate_limited" : status >= 500 ? "transient" : status === 401 ? "refresh_and_retry" : "rejected");
  return new YouTubeApiError(known, status, outcome);
}
