/**
 * What a user is told about an UNREADABLE account (its stored tokens do not decrypt with this
 * deployment's keys): SocialFlow's problem, fixed without them, so no reconnect is asked for.
 * One sentence for the card, the API answers and the upload page. No imports: client-safe.
 */
export const ACCOUNT_UNAVAILABLE_MESSAGE = "SocialFlow can't use this account right now; we're on it — no need to reconnect.";
