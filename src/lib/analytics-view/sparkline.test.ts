import { describe, expect, it } from "vitest";
import { sparklinePoints } from "./sparkline";

describe("sparkline points", () => {
  it("draws nothing for fewer than two values", () => {
    expect(sparklinePoints([], 100, 20)).toBeNull();
    expect(sparklinePoints([5], 100, 20)).toBeNull();
  });

  it("spreads values over the width; the highest at the top pad, the lowest at the bottom pad", () => {
    expect(sparklinePoints([10, 20, 15], 100, 20, 2)).toBe("0,18 50,2 100,10");
  });

  it("a flat series runs through the middle", () => {
    expect(sparklinePoints([7, 7, 7], 10, 20)).toBe("0,10 5,10 10,10");
  });
});
