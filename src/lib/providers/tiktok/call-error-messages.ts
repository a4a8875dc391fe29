import type { TikTokCallError } from "@/lib/providers/tiktok/call-errors";
import { ACCOUNT_UNAVAILABLE_MESSAGE } from "@/lib/connections/unavailable-message";

/** Plain words for a failed TikTok call, with the time to come back when there is one. */
export function callErrorMessage(error: TikTokCallError, now = new Date()): string {
  const retryAt = error.details.retryAfterSec
    ? new Date(now.getTime() + error.details.retryAfterSec * 1000).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" }) + " UTC"
    : undefined;
  switch (error.code) {
    case "budget_exceeded":
      return `You've reached SocialFlow's limit for TikTok requests. Try again at ${retryAt ?? "a later time"}.`;
    case "rate_limited":
      return `TikTok is limiting requests right now. Try again at ${retryAt ?? "a later time"}.`;
    case "reconnect_required":
      return "TikTok no longer accepts SocialFlow's access to this account. Reconnect it on the accounts page.";
    case "account_unavailable":
      return ACCOUNT_UNAVAILABLE_MESSAGE;
    case "scope_missing":
      return "This account didn't grant the permission needed for this. Reconnect it and allow it on TikTok.";
    case "tiktok_unavailable":
      return "TikTok can't be reached right now. Please try again in a few minutes.";
    case "not_found":
      return "This account is not connected.";
    case "rejected":
      return "TikTok refused this request.";
  }
}
