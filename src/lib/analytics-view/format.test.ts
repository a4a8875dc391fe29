import { describe, expect, it } from "vitest";
import { formatChange, formatCount, formatExact, formatInterval, formatRate, formatTicks, MISSING } from "./format";

describe("analytics number wording", () => {
  it("a missing count is a dash, never 0; present counts are compact", () => {
    expect(formatCount(null)).toBe(MISSING);
    expect(formatCount(undefined)).toBe(MISSING);
    expect(formatCount(Number.NaN)).toBe(MISSING);
    expect(formatCount(0)).toBe("0");
    expect(formatCount(987)).toBe("987");
    expect(formatCount(12_345)).toBe("12.3K");
    expect(formatCount(2_500_000)).toBe("2.5M");
    expect(formatExact(12_345)).toBe("12,345");
    expect(formatExact(null)).toBe(MISSING);
  });

  it("engagement rates read as percentages with one decimal; no rate (0 views) is a dash", () => {
    expect(formatRate(0.0423)).toBe("4.2%");
    expect(formatRate(0)).toBe("0.0%");
    expect(formatRate(null)).toBe(MISSING);
  });

  it("a change carries its sign in text and in words, not only in colour", () => {
    expect(formatChange(1234)).toEqual({ text: "+1.2K", words: "up 1,234 in 7 days", tone: "up" });
    expect(formatChange(-35)).toEqual({ text: "\u221235", words: "down 35 in 7 days", tone: "down" });
    expect(formatChange(0)).toMatchObject({ text: "±0", tone: "flat" });
    expect(formatChange(null)).toMatchObject({ text: MISSING, tone: "unknown" });
  });

  it("the snapshot interval in words", () => {
    expect(formatInterval(6 * 3_600_000)).toBe("6 hours");
    expect(formatInterval(86_400_000)).toBe("1 day");
    expect(formatInterval(90_000)).toBe("90 seconds");
    expect(formatInterval(60_000)).toBe("1 minute");
    expect(formatInterval(1500)).toBe("2 seconds");
  });
});

describe("chart axis labels", () => {
  it("as short as possible while neighbouring ticks differ", () => {
    expect(formatTicks([0, 5000, 10_000], "count")).toEqual(["0", "5K", "10K"]);
    expect(formatTicks([9650, 9700, 9750], "count")).toEqual(["9.65K", "9.7K", "9.75K"]);
    expect(formatTicks([0.0675, 0.068, 0.0685], "rate")).toEqual(["6.75%", "6.8%", "6.85%"]);
    expect(formatTicks([0.05, 0.1], "rate")).toEqual(["5%", "10%"]);
  });
});
