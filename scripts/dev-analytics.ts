/**
 * Analytics under `npm run dev` (issue #13): with a sandbox standing in for the networks, stats
 * move DEV_STATS_TIME_SCALE times faster than the clock (one real minute = 12 hours of growth)
 * and a snapshot is taken every minute, so a newcomer's charts fill within minutes. Against the
 * real networks nothing changes: ANALYTICS_INTERVAL keeps its 6-hour default.
 * SANDBOX_STATS_TIME_SCALE and ANALYTICS_INTERVAL in the environment (or .env) win.
 */
export const DEV_STATS_TIME_SCALE = 720;
export const DEV_ANALYTICS_INTERVAL = "1m";

/** The sandbox's stats speed-up for this run (1 = the sandbox clock itself). */
export function devStatsTimeScale(env: Record<string, string | undefined>): number {
  const raw = env.SANDBOX_STATS_TIME_SCALE;
  if (raw === undefined || raw.trim() === "") return DEV_STATS_TIME_SCALE;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale < 1 || scale > 1_000_000) {
    throw new Error("SANDBOX_STATS_TIME_SCALE must be a number from 1 to 1000000");
  }
  return scale;
}

/**
 * With snapshots a minute apart, a user's daily budget of provider calls (RATE_LIMIT_PER_DAY,
 * 1,000) would go to snapshots alone within hours of leaving `npm run dev` running — each
 * snapshot spends 2 TikTok or 3 YouTube calls of it — and the videos pages would then answer
 * "limit reached". The sandbox's day is made roomier instead.
 */
export const DEV_RATE_LIMIT_PER_DAY = "100000";

/**
 * A snapshot a minute while a sandbox answers (unless ANALYTICS_INTERVAL is set), with a daily
 * budget to match (unless RATE_LIMIT_PER_DAY is set).
 */
export function applyDevAnalyticsInterval(env: Record<string, string | undefined>): void {
  if (env.ANALYTICS_INTERVAL !== undefined) return;
  env.ANALYTICS_INTERVAL = DEV_ANALYTICS_INTERVAL;
  env.RATE_LIMIT_PER_DAY ??= DEV_RATE_LIMIT_PER_DAY;
}
