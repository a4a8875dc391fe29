import type { AccountStatPoint, EngagementPoint } from "@/lib/analytics/types";

/**
 * The analytics page's series, shaped once for both the chart (uPlot wants columns: x in Unix
 * seconds, then one array per line, null for a gap) and its table alternative (rows).
 */

export interface Series {
  label: string;
  /** "count" or "rate" (0..1): how the tooltip and the table word a value. */
  kind: "count" | "rate";
  values: (number | null)[];
}

export interface ChartData {
  /** Unix seconds, oldest first. */
  times: number[];
  series: Series[];
}

const seconds = (at: Date) => Math.floor(at.getTime() / 1000);

export function followersChart(points: readonly AccountStatPoint[]): ChartData {
  return {
    times: points.map((p) => seconds(p.at)),
    series: [{ label: "Followers", kind: "count", values: points.map((p) => p.followers) }],
  };
}

export function viewsChart(points: readonly EngagementPoint[]): ChartData {
  return {
    times: points.map((p) => seconds(p.at)),
    series: [{ label: "Views", kind: "count", values: points.map((p) => p.views) }],
  };
}

export function engagementChart(points: readonly EngagementPoint[]): ChartData {
  return {
    times: points.map((p) => seconds(p.at)),
    series: [{ label: "Engagement", kind: "rate", values: points.map((p) => p.engagementRate) }],
  };
}

/** Points that carry at least one value: a chart needs two of them to draw a line. */
export function plottablePoints(data: ChartData): number {
  return data.times.filter((_, i) => data.series.some((s) => s.values[i] !== null && s.values[i] !== undefined)).length;
}
