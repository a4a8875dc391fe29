/**
 * The dashboard's trend line as SVG polyline points: values scaled into a width × height box
 * with `pad` kept free at top and bottom (so the stroke is not cut). Fewer than two values draw
 * nothing (null). A flat series is drawn through the middle.
 */
export function sparklinePoints(values: readonly number[], width: number, height: number, pad = 2): string | null {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2) return null;
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const span = max - min;
  const usable = height - 2 * pad;
  const step = width / (finite.length - 1);
  return finite
    .map((v, i) => {
      const y = span === 0 ? height / 2 : pad + usable - ((v - min) / span) * usable;
      return `${round(i * step)},${round(y)}`;
    })
    .join(" ");
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
