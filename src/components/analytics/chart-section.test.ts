import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { EngagementPoint } from "@/lib/analytics/types";
import { engagementChart, viewsChart } from "@/lib/analytics-view/chart-data";
import { ChartSection } from "./chart-section";

const base = Date.UTC(2026, 5, 1);
const point = (i: number, views: number): EngagementPoint => ({
  at: new Date(base + i * 6 * 3_600_000),
  views,
  likes: 10,
  comments: 5,
  shares: 5,
  engagementRate: views === 0 ? null : 20 / views,
});

const render = (points: EngagementPoint[], chart = viewsChart) =>
  renderToStaticMarkup(createElement(ChartSection, { id: "views", title: "Views", data: chart(points), emptyMessage: "Not enough snapshots yet." }));

describe("analytics chart section", () => {
  it("with several snapshots: the chart holder and a real table with one row per snapshot, newest first", () => {
    const html = render([point(0, 100), point(1, 250), point(2, 400)]);
    expect(html).toContain('data-testid="chart"');
    expect(html).toContain('role="img"');
    expect(html).toContain("<summary");
    expect(html).toContain("Show as table");
    expect(html.match(/data-testid="chart-row"/g)).toHaveLength(3);
    expect(html.indexOf(">400<")).toBeLessThan(html.indexOf(">100<"));
    expect(html).not.toContain("Not enough snapshots yet.");
  });

  it("engagement rows read as percentages, 0 views as a dash", () => {
    const html = render([point(0, 400), point(1, 0)], engagementChart);
    expect(html).toContain(">5.0%<");
    expect(html).toContain(">—<");
  });

  it("with one snapshot: the empty-state words instead of a chart (the table still lists it)", () => {
    const html = render([point(0, 100)]);
    expect(html).not.toContain('data-testid="chart"');
    expect(html).toContain("Not enough snapshots yet.");
    expect(html.match(/data-testid="chart-row"/g)).toHaveLength(1);
  });

  it("with none: no table at all", () => {
    expect(render([])).not.toContain("<table");
  });
});
