/**
 * TikTok's per-token, per-endpoint rate limit: a one-minute SLIDING window
 * (developers.tiktok.com/doc/tiktok-api-v2-rate-limit; https://developers.tiktok.com/doc/tiktok-api-v2-video-list). Over the limit the API
 * answers 429 `rate_limit_exceeded`. Only accepted requests occupy the window.
 */
const WINDOW_MS = 60_000;

export class SlidingWindowLimiter {
  /** key → timestamps (ms, ascending) of accepted requests within the last minute. */
  private readonly hits = new Map<string, number[]>();

  /**
   * Records a hit and returns 0 when under `limit`; otherwise returns the ms until a slot frees
   * (for Retry-After) and records nothing.
   */
  hit(key: string, limit: number, now: number): number {
    let list = this.hits.get(key);
    if (list === undefined) {
      list = [];
      this.hits.set(key, list);
    }
    const cutoff = now - WINDOW_MS;
    let drop = 0;
    while (drop < list.length && (list[drop] ?? 0) <= cutoff) drop++;
    if (drop > 0) list.splice(0, drop);
    if (list.length >= limit) {
      const oldest = list[0] ?? now;
      return Math.max(1, oldest + WINDOW_MS - now);
    }
    list.push(now);
    return 0;
  }

  clear(): void {
    this.hits.clear();
  }
}
