import { describe, expect, it } from "vitest";
import type { AccountStatPoint, EngagementPoint } from "@/lib/analytics/types";
import { engagementChart, followersChart, plottablePoints, viewsChart } from "./chart-data";

const at = (hours: number) => new Date(Date.UTC(2026, 5, 1) + hours * 3_600_000);
const account = (hours: number, followers: number | null): AccountStatPoint => ({ at: at(hours), followers, following: null, likes: null, videos: null, views: null });
const engagement = (hours: number, views: number, rate: number | null): EngagementPoint => ({ at: at(hours), views, likes: 1, comments: 1, shares: 1, engagementRate: rate });

describe("chart data", () => {
  it("followers: Unix seconds and the counts, nulls kept as gaps", () => {
    const data = followersChart([account(0, 100), account(6, null), account(12, 130)]);
    expect(data.times).toEqual([at(0).getTime() / 1000, at(6).getTime() / 1000, at(12).getTime() / 1000]);
    expect(data.series).toEqual([{ label: "Followers", kind: "count", values: [100, null, 130] }]);
    expect(plottablePoints(data)).toBe(2);
  });

  it("views are counts, engagement is a rate", () => {
    const points = [engagement(0, 1000, 0.05), engagement(6, 0, null)];
    expect(viewsChart(points).series[0]).toEqual({ label: "Views", kind: "count", values: [1000, 0] });
    expect(engagementChart(points).series[0]).toEqual({ label: "Engagement", kind: "rate", values: [0.05, null] });
    expect(plottablePoints(engagementChart(points))).toBe(1);
  });
});
