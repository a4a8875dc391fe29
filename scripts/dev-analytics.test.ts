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
});
