/**
 * YouTube's daily quota resets at midnight Pacific Time
 * (https://developers.google.com/youtube/v3/getting-started#quota), daylight saving included.
 */
const PACIFIC = new Intl.DateTimeFormat("en-CA", {
  timeZone: "America/Los_Angeles",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  hourCycle: "h23",
});

function pacificParts(at: Date): { day: string; hour: number } {
  const parts = Object.fromEntries(PACIFIC.formatToParts(at).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

/** The quota day `at` falls in, as Pacific Time's calendar date (`2026-12-01`). */
export function pacificDay(at: Date): string {
  return pacificParts(at).day;
}

/** The instant the quota day containing `at` ends: the next 00:00 in America/Los_Angeles. */
export function nextPacificMidnight(at: Date): Date {
  const [year, month, day] = pacificDay(at).split("-").map(Number) as [number, number, number];
  // Pacific midnight is 07:00 or 08:00 UTC (PDT or PST); the one that reads 00:00 of the next day wins.
  for (const offsetHours of [7, 8]) {
    const candidate = new Date(Date.UTC(year, month - 1, day + 1, offsetHours));
    const parts = pacificParts(candidate);
    if (parts.hour === 0 && parts.day !== pacificDay(at)) return candidate;
  }
  throw new Error("nextPacificMidnight: no Pacific midnight found");
}
