import type { YouTubeCallError } from "./api-client";
import { YOUTUBE_READONLY, YOUTUBE_UPLOAD } from "./config";

/** What each scope lets SocialFlow do, for "Grant permission" (https://developers.google.com/identity/protocols/oauth2/scopes#youtube). */
const SCOPE_WORDS: ReadonlyMap<string, string> = new Map([
  [YOUTUBE_READONLY, "see your channel and its videos"],
  [YOUTUBE_UPLOAD, "upload videos to your channel"],
]);

/** A missing scope in words (never the raw scope string of an unknown one). */
export function scopeInWords(scope: string): string {
  return SCOPE_WORDS.get(scope) ?? "a permission SocialFlow asked for";
}

export const NO_CHANNEL_MESSAGE =
  "This Google account has no YouTube channel. Create one on YouTube, or choose your Brand Account's channel in Google's account chooser, then connect again.";

/** The accounts page's banner after a connect with a channel-less Google identity (nothing was stored). */
export const NO_CHANNEL_MESSAGE_SHORT =
  "This Google account has no YouTube channel — create one or pick your Brand Account channel, then reconnect.";

/** The accounts page's help next to "Reconnect needed" (https://developers.google.com/identity/protocols/oauth2#expiration). */
export const YOUTUBE_RECONNECT_HELP =
  "If this happens every 7 days, the Google Cloud project is still in Testing: publish it to production.";

/** Why a reconnect is needed; a project in "Testing" ends every grant after 7 days (https://developers.google.com/identity/protocols/oauth2#expiration). */
export const RECONNECT_HELP =
  "Google no longer accepts SocialFlow's access to this channel. Reconnect it on the accounts page. If this happens every 7 days, the Google Cloud project is still in Testing: publish it to production.";

/** SocialFlow's own per-user budget of YouTube calls is spent (S70). */
export const BUDGET_MESSAGE = "You've reached SocialFlow's limit for YouTube requests. Try again in a minute.";

/** Plain words for a failed YouTube call. */
export function youTubeCallMessage(error: YouTubeCallError): string {
  switch (error.code) {
    case "quota_exhausted": {
      const at = error.details.resetAt;
      const when = at ? ` It resets at ${at.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" })} UTC (midnight Pacific Time).` : " It resets at midnight Pacific Time.";
      return `YouTube's daily limit is reached.${when}`;
    }
    case "rate_limited":
      return "YouTube is limiting requests right now. Try again in a minute.";
    case "reconnect_required":
      return RECONNECT_HELP;
    case "grant_permission":
      return "This channel didn't grant a permission SocialFlow needs for this. Use Grant permission on the accounts page.";
    case "no_channel":
      return NO_CHANNEL_MESSAGE;
    case "empty":
      return "This channel has no videos yet.";
    case "youtube_unavailable":
      return "YouTube can't be reached right now. Please try again in a few minutes.";
    case "rejected":
      return "YouTube refused this request.";
  }
}
