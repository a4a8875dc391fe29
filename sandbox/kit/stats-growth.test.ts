import { describe, expect, it } from "vitest";
import { grownCount, grownFollowers, statsDays, viewGrowthFactor } from "./stats-growth";

const DAY = 86_400_000;

describe("stats growth (counts that move with the sandbox clock)", () => {
  it("at the start every count is the seed's", () => {
    expect(grownFollowers(1234, "u1", 0)).toBe(1234);
    expect(grownCount(5000, "v1", 0)).toBe(5000);
  });

  it("followers never fall, hour by hour over 60 days, and grow plausibly (0.2–1 % a day)", () => {
    let previous = grownFollowers(10_000, "u1", 0);
    for (let hour = 1; hour <= 60 * 24; hour++) {
      const now = grownFollowers(10_000, "u1", hour / 24);
      expect(now).toBeGreaterThanOrEqual(previous);
      expect(Number.isInteger(now)).toBe(true);
      previous = now;
    }
    expect(previous).toBeGreaterThan(10_000 * (1 + 0.002 * 59));
    expect(previous).toBeLessThan(10_000 * (1 + 0.01 * 61));
  });

  it("is deterministic per seed and differs between seeds", () => {
    expect(grownFollowers(10_000, "u1", 30)).toBe(grownFollowers(10_000, "u1", 30));
    const users = new Set(["u1", "u2", "u3", "u4"].map((u) => grownFollowers(10_000, u, 30)));
    expect(users.size).toBe(4);
    expect(viewGrowthFactor("v1", 10)).not.toBe(viewGrowthFactor("v2", 10));
  });

  it("a video's counts grow fast first, then slower, and keep their proportions", () => {
    const firstWeek = grownCount(10_000, "v1", 7) - grownCount(10_000, "v1", 0);
    const laterWeek = grownCount(10_000, "v1", 60) - grownCount(10_000, "v1", 53);
    expect(firstWeek).toBeGreaterThan(laterWeek);
    expect(laterWeek).toBeGreaterThan(0);
    const factor = viewGrowthFactor("v1", 30);
    expect(grownCount(1000, "v1", 30)).toBe(Math.floor(1000 * factor));
  });

  it("stats days: the clock since the start, times the speed-up; never before the start", () => {
    const start = Date.UTC(2026, 0, 1);
    expect(statsDays(start + DAY, start, 1)).toBe(1);
    expect(statsDays(start + 60_000, start, 720)).toBe(0.5);
    expect(statsDays(start - DAY, start, 1)).toBe(0);
  });

  it("stats days step in whole minutes of stats time, so sandboxes started moments apart agree", () => {
    const start = Date.UTC(2026, 0, 1);
    expect(statsDays(start + 59_999, start, 1)).toBe(0);
    expect(statsDays(start + 60_000, start, 1)).toBe(60_000 / DAY);
    expect(statsDays(start + 90_000, start, 1)).toBe(60_000 / DAY);
  });
});
