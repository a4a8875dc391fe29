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

/** A snapshot a minute while a sandbox answers (unless ANALYTICS_INTERVAL is set). */
export function applyDevAnalyticsInterval(env: Record<string, string | undefined>): void {
  env.ANALYTICS_INTERVAL ??= DEV_ANALYTICS_INTERVAL;
}
