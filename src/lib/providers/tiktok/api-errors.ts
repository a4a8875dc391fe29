import { brand } from "@/lib/errors/brand";
import { isOwnKey, ownValue } from "@/lib/own-key";

/**
 * TikTok data-plane error codes (https://developers.tiktok.com/doc/tiktok-api-v2-error-handling) and what SocialFlow does about each:
 * one table, not string searches. Unknown codes are treated as failures of the request.
 */
export type TikTokErrorOutcome =
  /** The access token is dead: one forced refresh and one retry (docs/security.md S36). */
  | "refresh_and_retry"
  /** Consent is missing: ask the user to reconnect with consent, no refresh. */
  | "reconnect"
  /** Back off; the account stays ACTIVE (S35). */
  | "rate_limited"
  /** TikTok-side trouble: retry later. */
  | "transient"
  /** Our request or the user's situation: show it, don't retry. */
  | "rejected";

export const TIKTOK_ERROR_OUTCOMES: Record<string, TikTokErrorOutcome> = {
  access_token_invalid: "refresh_and_retry",
  scope_not_authorized: "reconnect",
  scope_permission_missed: "reconnect",
  rate_limit_exceeded: "rate_limited",
  internal_error: "transient",
  invalid_params: "rejected",
  invalid_param: "rejected",
  spam_risk_too_many_posts: "rejected",
  spam_risk_user_banned_from_posting: "rejected",
  spam_risk_too_many_pending_share: "rejected",
  reached_active_user_cap: "rejected",
  unaudited_client_can_only_post_to_private_accounts: "rejected",
  url_ownership_unverified: "rejected",
  privacy_level_option_mismatch: "rejected",
};

const API = brand("TikTokApiError");

export class TikTokApiError extends Error {
  /** Holds across copies of this module (see errors/brand.ts). */
  static [Symbol.hasInstance](value: unknown): boolean {
    return API.test(value);
  }
  override readonly name = "TikTokApiError";
  readonly outcome: TikTokErrorOutcome;
  constructor(
    /** TikTok's `error.code`, kept only if it is in the table above (else "unknown_error"). */
    readonly code: string,
    readonly status: number,
  ) {
    super(`TikTok API error: ${code}`);
    API.mark(this);
    this.outcome = ownValue(TIKTOK_ERROR_OUTCOMES, code) ?? (status === 429 ? "rate_limited" : status >= 500 ? "transient" : "rejected");
  }
}

/** Keeps a TikTok error code only if we know it: provider text is never reflected. */
export function knownTikTokErrorCode(code: string): string {
  return isOwnKey(TIKTOK_ERROR_OUTCOMES, code) ? code : "unknown_error";
}
