import { sparklinePoints } from "@/lib/analytics-view/sparkline";

const WIDTH = 120;
const HEIGHT = 32;

/**
 * A small trend line (inline SVG: no chart library for 60 points). Decorative for screen readers
 * except for its label, which says what it shows; the numbers are in the tile beside it.
 */
export function Sparkline({ values, label }: { values: readonly number[]; label: string }) {
  const points = sparklinePoints(values, WIDTH, HEIGHT);
  if (!points) return null;
  return (
    <svg
      role="img"
      aria-label={label}
      data-testid="sparkline"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      preserveAspectRatio="none"
      className="h-8 w-full max-w-[160px] text-brand-600"
    >
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="2" vectorEffect="non-scaling-stroke" strokeLinejoin="round" />
    </svg>
  );
}
