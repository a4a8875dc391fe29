import { describe, expect, it } from "vitest";
import { DEFAULT_RANGE_DAYS, parseRangeParam } from "./range";

describe("?range= of the analytics page", () => {
  it("takes 7, 30 and 90", () => {
    expect(parseRangeParam("7")).toBe(7);
    expect(parseRangeParam("30")).toBe(30);
    expect(parseRangeParam("90")).toBe(90);
  });

  it("falls back to 30 days for anything else instead of failing", () => {
    expect(DEFAULT_RANGE_DAYS).toBe(30);
    for (const bad of [undefined, "", "31", "0", "-7", "7.0", " 7", "abc", "9".repeat(5000), ["7", "90"]]) {
      expect(parseRangeParam(bad)).toBe(30);
    }
  });
});
