/**
 * YouTube gives video lengths as ISO-8601 durations (`PT4M13S`, `PT1H2M`, `P1DT2H3M`, `PT0S` for
 * an upcoming live stream): https://developers.google.com/youtube/v3/docs/videos#contentDetails.duration.
 * Returns whole seconds, or undefined for anything else (never a guess).
 */
export function isoDurationSeconds(value: string | undefined): number | undefined {
  if (!value || value.length > 64) return undefined;
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value);
  if (!match || value === "P" || value.endsWith("T")) return undefined;
  const [, weeks, days, hours, minutes, seconds] = match;
  const total =
    Number(weeks ?? 0) * 7 * 86_400 + Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3_600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
  return Number.isFinite(total) ? Math.floor(total) : undefined;
}
