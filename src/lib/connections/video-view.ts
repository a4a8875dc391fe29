/**
 * One video as the pages show it, whatever the network: counts as numbers, links checked by the
 * provider before they get here (profile-sanitize.ts), a count the network hides as 0.
 */
export interface VideoView {
  id: string;
  title: string;
  coverUrl: string | null;
  shareUrl: string | null;
  createdAt: string | null;
  durationSec: number | null;
  views: number;
  likes: number;
  comments: number;
  shares: number;
}

/**
 * A network's video id as SocialFlow takes it (TikTok's are digits, YouTube's 11 of A–Z, a–z,
 * 0–9, `-`, `_`): a listed video with any other id is left out. Ids are stored (a NUL, which
 * PostgreSQL text refuses, failed every snapshot of the account: S82) and joined into
 * YouTube's `videos.list` (S80).
 */
export const VIDEO_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The latest time written as ISO text that PostgreSQL reads back (four-digit years only). */
const LAST_STORABLE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * A video's publish time from a network (epoch ms) as the pages and the snapshots take it, or
 * null when it is no real one: not a date, before 1970, or past year 9999. Year 0 and six-digit
 * years are valid in JavaScript but not in a timestamptz column, so one such video failed every
 * snapshot of its account; beyond ±8.64e15 ms `toISOString` throws (docs/security.md S78).
 */
export function videoTimeIso(ms: number): string | null {
  return Number.isFinite(ms) && ms >= 0 && ms <= LAST_STORABLE_MS ? new Date(ms).toISOString() : null;
}
