import { describe, expect, it } from "vitest";
import { countChange, engagementRate } from "./engagement";

describe("engagement rate: (likes + comments + shares) ÷ views", () => {
  it("sums the three interactions over the views", () => {
    expect(engagementRate({ views: 1000, likes: 70, comments: 20, shares: 10 })).toBeCloseTo(0.1, 12);
  });

  it("counts missing shares (YouTube) and missing likes as 0", () => {
    expect(engagementRate({ views: 200, likes: 10, comments: 10, shares: null })).toBeCloseTo(0.1, 12);
    expect(engagementRate({ views: 200, likes: null, comments: 20, shares: null })).toBeCloseTo(0.1, 12);
  });

  it("is null, not 0, with no views", () => {
    expect(engagementRate({ views: 0, likes: 5, comments: 0, shares: 0 })).toBeNull();
    expect(engagementRate({ views: null, likes: 0, comments: 0, shares: 0 })).toBeNull();
  });
});

describe("count change", () => {
  it("is the difference, negative when the count fell", () => {
    expect(countChange(120, 100)).toBe(20);
    expect(countChange(90, 100)).toBe(-10);
  });

  it("is null when either side is missing", () => {
    expect(countChange(null, 100)).toBeNull();
    expect(countChange(100, undefined)).toBeNull();
  });
});
