/** Number, duration and size wording shared by the server's refusals and the page's checks. */

export function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, "").replace(/\.$/, "");
}

/** "1 second", "4.5 seconds", "3 minutes", "10 min 5 s". */
export function formatDuration(totalSec: number): string {
  if (totalSec < 60) {
    const s = Math.round(totalSec * 10) / 10;
    return `${formatNumber(s)} ${s === 1 ? "second" : "seconds"}`;
  }
  const whole = Math.round(totalSec);
  const min = Math.floor(whole / 60);
  const sec = whole % 60;
  return sec === 0 ? `${min} ${min === 1 ? "minute" : "minutes"}` : `${min} min ${sec} s`;
}

/** Binary units, as TikTok's "4 GB" means 4 GiB. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KB", "MB", "GB"] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${formatNumber(Math.round(value * 10) / 10)} ${units[unit]}`;
}

/** A size over `limit`, worded so that it never reads as equal to the limit ("just over 4 GB"). */
export function formatBytesOver(bytes: number, limit: number): string {
  const shown = formatBytes(bytes);
  return bytes > limit && shown === formatBytes(limit) ? `just over ${shown}` : shown;
}
