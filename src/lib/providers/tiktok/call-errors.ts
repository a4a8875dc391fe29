import { brand } from "@/lib/errors/brand";

/** Why a TikTok call through SocialFlow did not succeed: stable codes the UI words. */
export type TikTokCallErrorCode =
  /** SocialFlow's own per-user budget is spent (local 429 with Retry-After). */
  | "budget_exceeded"
  /** TikTok said rate_limit_exceeded; back off, the account stays ACTIVE. */
  | "rate_limited"
  /** TikTok no longer accepts this account's tokens. */
  | "reconnect_required"
  /** The account's stored tokens do not decrypt here (a key missing): SocialFlow's problem, retried. */
  | "account_unavailable"
  /** The granted scopes don't cover this call. */
  | "scope_missing"
  /** TikTok unreachable, timing out or answering garbage. */
  | "tiktok_unavailable"
  /** TikTok refused the request itself (see tiktokCode). */
  | "rejected"
  | "not_found";

const CALL = brand("TikTokCallError");

export class TikTokCallError extends Error {
  /** Holds across copies of this module (see errors/brand.ts). */
  static [Symbol.hasInstance](value: unknown): boolean {
    return CALL.test(value);
  }
  override readonly name = "TikTokCallError";
  constructor(
    readonly code: TikTokCallErrorCode,
    readonly details: { retryAfterSec?: number; tiktokCode?: string; status?: number } = {},
  ) {
    super(`TikTok call failed: ${code}${details.tiktokCode ? ` (${details.tiktokCode})` : ""}`);
    CALL.mark(this);
  }

  /** HTTP status our routes answer with. */
  get httpStatus(): number {
    switch (this.code) {
      case "budget_exceeded":
      case "rate_limited":
        return 429;
      case "reconnect_required":
        return 409;
      case "scope_missing":
        return 403;
      case "tiktok_unavailable":
      case "account_unavailable":
        return 503;
      case "not_found":
        return 404;
      case "rejected":
        return 422;
    }
  }
}
