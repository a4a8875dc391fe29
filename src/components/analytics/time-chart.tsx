"use client";

import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { ChartData } from "@/lib/analytics-view/chart-data";
import { formatCount, formatRate, formatTicks } from "@/lib/analytics-view/format";

const HEIGHT = 220;

/** The y axis is as wide as its longest label (about 7 px a character at uPlot's 12 px font) plus the tick. */
const axisSize = (_u: uPlot, values: string[] | null) => (values?.length ? Math.max(...values.map((v) => v.length)) * 7 + 18 : 40);
const COLORS = ["#4f46e5", "#059669"];

/**
 * A line chart of snapshots over time, drawn by uPlot on a canvas. Its width follows the
 * container (ResizeObserver), so it fits a 390 px phone as well as a desktop. The canvas is one
 * image for screen readers (its label names the table with the same numbers). uPlot sets
 * element styles through the DOM (not inline `<style>` markup), which the page's CSP allows.
 */
export function TimeChart({ data, label }: { data: ChartData; label: string }) {
  const holder = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const rate = data.series.some((s) => s.kind === "rate");
    const format = (v: number | null) => (rate ? formatRate(v) : formatCount(v));
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 1),
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      series: [
        {},
        ...data.series.map((s, i) => ({
          label: s.label,
          stroke: COLORS[i % COLORS.length],
          width: 2,
          spanGaps: true,
          points: { show: data.times.length <= 60 },
          value: (_u: uPlot, v: number | null) => format(v),
        })),
      ],
      axes: [
        { stroke: "#475569", grid: { stroke: "#e2e8f0" } },
        { stroke: "#475569", grid: { stroke: "#e2e8f0" }, size: axisSize, values: (_u, ticks) => formatTicks(ticks, rate ? "rate" : "count") },
      ],
    };
    const chart = new uPlot(options, [data.times, ...data.series.map((s) => s.values)], element);
    const observer = new ResizeObserver(() => {
      const width = element.clientWidth;
      if (width > 0 && width !== chart.width) chart.setSize({ width, height: HEIGHT });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [data]);

  return <div ref={holder} role="img" aria-label={label} data-testid="chart" className="w-full min-w-0 overflow-hidden" style={{ minHeight: HEIGHT }} />;
}
