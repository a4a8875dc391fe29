/**
 * The YouTube Data API's daily quota, per Google Cloud project
 * (https://developers.google.com/youtube/v3/getting-started#quota and
 * https://developers.google.com/youtube/v3/determine_quota_cost): every request costs its
 * method's units, invalid ones included, and the day starts at midnight Pacific Time.
 *
 * Also an optional per-minute limit per project (`perMinuteLimit`), answered with
 * `rateLimitExceeded`.
 */
import type { QuotaView } from "./types";

const PACIFIC = "America/Los_Angeles";

const partsFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: PACIFIC,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

interface LocalParts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function pacificParts(ms: number): LocalParts {
  const p: Record<string, number> = {};
  for (const part of partsFormat.formatToParts(ms)) if (part.type !== "literal") p[part.type] = Number(part.value);
  return { y: p.year ?? 1970, mo: p.month ?? 1, d: p.day ?? 1, h: p.hour ?? 0, mi: p.minute ?? 0, s: p.second ?? 0 };
}

/** The Pacific calendar day of an instant, YYYY-MM-DD. */
export function pacificDay(ms: number): string {
  const p = pacificParts(ms);
  return `${p.y}-${String(p.mo).padStart(2, "0")}-${String(p.d).padStart(2, "0")}`;
}

/** Local (Pacific) minus UTC, in ms, at an instant: -7 h in summer, -8 h in winter. */
function pacificOffsetMs(ms: number): number {
  const p = pacificParts(ms);
  return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - Math.floor(ms / 1000) * 1000;
}

/** The instant of the next midnight in America/Los_Angeles after `ms` (DST-aware). */
export function nextPacificMidnight(ms: number): number {
  const p = pacificParts(ms);
  const localMidnight = Date.UTC(p.y, p.mo - 1, p.d + 1);
  const first = localMidnight - pacificOffsetMs(localMidnight);
  return localMidnight - pacificOffsetMs(first);
}

interface Ledger {
  day: string;
  used: number;
  minute: number;
  minuteCount: number;
}

export type QuotaDecision = "ok" | "quotaExceeded" | "rateLimitExceeded";

export class QuotaLedger {
  private readonly ledgers = new Map<string, Ledger>();

  private ledger(projectId: string, now: number): Ledger {
    const day = pacificDay(now);
    let l = this.ledgers.get(projectId);
    if (l === undefined) {
      l = { day, used: 0, minute: 0, minuteCount: 0 };
      this.ledgers.set(projectId, l);
    }
    if (l.day !== day) {
      l.day = day;
      l.used = 0;
    }
    return l;
  }

  /**
   * Charges `units` to the project, or says why not: the daily quota is gone (nothing charged),
   * or the per-minute limit is reached.
   */
  charge(projectId: string, units: number, now: number, limits: { daily: number; perMinute: number }): QuotaDecision {
    const l = this.ledger(projectId, now);
    if (l.used + units > limits.daily) return "quotaExceeded";
    if (limits.perMinute > 0) {
      const minute = Math.floor(now / 60_000);
      if (l.minute !== minute) {
        l.minute = minute;
        l.minuteCount = 0;
      }
      if (l.minuteCount >= limits.perMinute) return "rateLimitExceeded";
      l.minuteCount += 1;
    }
    l.used += units;
    return "ok";
  }

  view(projectId: string, now: number, limit: number): QuotaView {
    const l = this.ledger(projectId, now);
    return { projectId, day: l.day, used: l.used, limit, resetsAt: nextPacificMidnight(now) };
  }

  setUsed(projectId: string, units: number, now: number): void {
    this.ledger(projectId, now).used = units;
  }

  clear(): void {
    this.ledgers.clear();
  }
}
