import { ProviderRequestError } from "./errors";
import type { OAuthTokens } from "./types";

/**
 * The longest token lifetime accepted from any provider, in seconds (TikTok: 24 h access, 365 d
 * refresh; Google: 1 h access, a refresh token lifetime only for time-limited grants). Anything
 * larger is not a lifetime: far enough out it cannot even be stored as a date, and a refresh
 * whose answer cannot be stored loses the rotated refresh token. Every provider's token schema
 * caps its lifetimes at this, so such an answer is a malformed one.
 */
export const MAX_TOKEN_LIFETIME_S = 10 * 365 * 24 * 3600;

/**
 * Within this of its end, a refresh token needs the user back: TikTok cannot extend it, and
 * two weeks leave time to notice (the sweeper requests the reconnect, the card shows it).
 */
export const REFRESH_TOKEN_WARNING_MS = 14 * 24 * 60 * 60 * 1000;

/** Proactive refresh once this share of the access token's life has passed (docs/architecture.md). */
export const REFRESH_AT_LIFE_FRACTION = 0.8;

/**
 * The next proactive refresh is never sooner than this after the last (S75). A provider that
 * answers a lifetime of a second or two (a bug, or a hostile answer) would otherwise have the
 * sweeper refresh that account on every pass, about once a second, spending the app's token
 * endpoint limits; its token simply lapses in between, and a call that finds it lapsed
 * refreshes it on demand, within the user's budget.
 */
export const MIN_REFRESH_SPACING_MS = 60_000;

/**
 * Expiry and next refresh time from what the provider said (`expires_in`,
 * `refresh_expires_in`), never from a hard-coded lifetime: TikTok's docs have said both
 * 24 h and 2 h (https://developers.tiktok.com/doc/oauth-user-access-token-management). 24 h tokens come due at 19.2 h, 2 h tokens at 96 min.
 */
export function tokenSchedule(tokens: Pick<OAuthTokens, "expiresIn" | "refreshExpiresIn">, now: Date) {
  const at = (seconds: number) => new Date(now.getTime() + checkedLifetime(seconds) * 1000);
  return {
    tokenExpiry: at(tokens.expiresIn),
    refreshTokenExpiry: tokens.refreshExpiresIn === undefined ? null : at(tokens.refreshExpiresIn),
    nextRefreshAt: new Date(Math.max(at(tokens.expiresIn * REFRESH_AT_LIFE_FRACTION).getTime(), now.getTime() + MIN_REFRESH_SPACING_MS)),
  };
}

/**
 * A lifetime the schedule can be built from. The providers' schemas already refuse anything else;
 * this keeps a provider that forgot from ever producing an Invalid Date (which fails the write,
 * after a rotating provider has already spent the old refresh token). Out of range is treated as
 * TikTok's schema treats it — a malformed provider answer (a recorded refresh failure, or a
 * connect that fails and gives the grant back) — never clamped into a date the provider did not say.
 */
function checkedLifetime(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_TOKEN_LIFETIME_S) throw new ProviderRequestError("malformed_response");
  return seconds;
}

/**
 * The proactive refresh time of a stored token (the same fraction of its life as
 * tokenSchedule), from when it was issued and when it ends. Unknown issuance: due now.
 */
export function usualNextRefreshAt(row: { tokenExpiry: Date; lastRefreshedAt: Date | null }, now: Date): Date {
  if (row.lastRefreshedAt === null) return now;
  const issued = row.lastRefreshedAt.getTime();
  return new Date(issued + (row.tokenExpiry.getTime() - issued) * REFRESH_AT_LIFE_FRACTION);
}
