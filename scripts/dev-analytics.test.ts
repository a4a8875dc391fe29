import { describe, expect, it } from "vitest";
import { applyDevAnalyticsInterval, DEV_STATS_TIME_SCALE, devStatsTimeScale } from "./dev-analytics";

describe("npm run dev: analytics that fill within minutes", () => {
  it("speeds sandbox stats up by default; SANDBOX_STATS_TIME_SCALE wins, within bounds", () => {
    expect(devStatsTimeScale({})).toBe(DEV_STATS_TIME_SCALE);
    expect(devStatsTimeScale({ SANDBOX_STATS_TIME_SCALE: "1" })).toBe(1);
    expect(() => devStatsTimeScale({ SANDBOX_STATS_TIME_SCALE: "0" })).toThrow(/SANDBOX_STATS_TIME_SCALE/);
    expect(() => devStatsTimeScale({ SANDBOX_STATS_TIME_SCALE: "fast" })).toThrow(/SANDBOX_STATS_TIME_SCALE/);
  });

  it("a snapshot a minute unless ANALYTICS_INTERVAL is set", () => {
    const env: Record<string, string | undefined> = {};
    applyDevAnalyticsInterval(env);
    expect(env.ANALYTICS_INTERVAL).toBe("1m");
    const mine: Record<string, string | undefined> = { ANALYTICS_INTERVAL: "6h" };
    applyDevAnalyticsInterval(mine);
    expect(mine.ANALYTICS_INTERVAL).toBe("6h");
  });

  it("with snapshots a minute apart, a day's budget of calls that snapshots cannot use up; RATE_LIMIT_PER_DAY wins", () => {
    const env: Record<string, string | undefined> = {};
    applyDevAnalyticsInterval(env);
    // A snapshot a minute of 4 TikTok accounts (2 calls) and 4 YouTube channels (3 calls), all day.
    expect(Number(env.RATE_LIMIT_PER_DAY)).toBeGreaterThan((4 * 2 + 4 * 3) * 60 * 24);
    const mine: Record<string, string | undefined> = { RATE_LIMIT_PER_DAY: "500" };
    applyDevAnalyticsInterval(mine);
    expect(mine.RATE_LIMIT_PER_DAY).toBe("500");
    // An interval of one's own: the budget is left alone too.
    const own: Record<string, string | undefined> = { ANALYTICS_INTERVAL: "6h" };
    applyDevAnalyticsInterval(own);
    expect(own.RATE_LIMIT_PER_DAY).toBeUndefined();
  });
});
