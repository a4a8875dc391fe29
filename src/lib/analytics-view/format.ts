/**
 * How the dashboard and the analytics page word numbers (issue #13). Pure, so the same words
 * come out on the server, in the chart's tooltips and in the tests. A missing number is "—",
 * never 0: null means the network or the grant does not give it (src/lib/analytics/types.ts).
 */

export const MISSING = "—";

const COMPACT = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
const EXACT = new Intl.NumberFormat("en");
const PERCENT = new Intl.NumberFormat("en", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
const DATE_TIME = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const DATE = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });

/** "12.3K", "987", "—". Short enough for a tile at 390 px. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? MISSING : COMPACT.format(n);
}

/** "12,345" (the exact figure, for tables and titles). */
export function formatExact(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? MISSING : EXACT.format(n);
}

/** An engagement rate (0.042 → "4.2%"). */
export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined || !Number.isFinite(rate) ? MISSING : PERCENT.format(rate);
}

/** Snapshot times in tables: one zone for everyone (the server renders them). */
export function formatSnapshotTime(at: Date): string {
  return `${DATE_TIME.format(at)} UTC`;
}

export function formatDay(at: Date): string {
  return DATE.format(at);
}

export type ChangeTone = "up" | "down" | "flat" | "unknown";

export interface ChangeText {
  /** "+1.2K", "−35", "±0", "—". */
  text: string;
  /** The same in words for screen readers and titles: "up 1,234 in 7 days". */
  words: string;
  tone: ChangeTone;
}

/** A 7-day change as shown beside a count: a sign that is not only colour, and words. */
export function formatChange(delta: number | null | undefined, period = "7 days"): ChangeText {
  if (delta === null || delta === undefined || !Number.isFinite(delta)) {
    return { text: MISSING, words: `no change figure for the last ${period} yet`, tone: "unknown" };
  }
  if (delta === 0) return { text: "±0", words: `no change in ${period}`, tone: "flat" };
  const magnitude = Math.abs(delta);
  return delta > 0
    ? { text: `+${COMPACT.format(magnitude)}`, words: `up ${EXACT.format(magnitude)} in ${period}`, tone: "up" }
    : { text: `\u2212${COMPACT.format(magnitude)}`, words: `down ${EXACT.format(magnitude)} in ${period}`, tone: "down" };
}

const EVERY_UNITS: [string, number][] = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1000],
];

/** A snapshot interval in words: 21,600,000 ms → "6 hours", 90 s → "90 seconds". */
export function formatInterval(ms: number): string {
  for (const [unit, size] of EVERY_UNITS) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${unit}${n === 1 ? "" : "s"}`;
    }
  }
  const seconds = Math.max(1, Math.round(ms / 1000));
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

/**
 * Axis labels for a chart's ticks: compact counts ("9.7K") or percentages, with just enough
 * decimals that neighbouring ticks never read the same ("9.65K", "9.7K", "9.75K" rather than
 * three "9.7K").
 */
export function formatTicks(ticks: readonly number[], kind: "count" | "rate"): string[] {
  for (let digits = 1; digits <= 4; digits++) {
    const format =
      kind === "rate"
        ? new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: digits })
        : new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: digits });
    const labels = ticks.map((t) => format.format(t));
    if (new Set(labels).size === labels.length) return labels;
  }
  return ticks.map((t) => (kind === "rate" ? `${t * 100}%` : EXACT.format(t)));
}
