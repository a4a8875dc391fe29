/**
 * Reply helpers in Google's two styles.
 *
 * - OAuth endpoints (token, revoke): flat `{"error","error_description"}` (RFC 6749 §5.2), with the
 *   no-cache headers Google sends on token answers.
 * - Google APIs (YouTube Data API v3): the error envelope
 *   `{"error":{"code","message","errors":[{"message","domain","reason",…}],"status"?,"details"?}}`
 *   (https://developers.google.com/youtube/v3/docs/errors), and JSON that escapes `<`, `>`, `&`,
 *   `=` and `'` as \u003c… the way Google's front ends do (thumbnail URLs show `\u003ds88`).
 *
 * Body reading, sending, form parsing and HTML escaping are the sandbox kit's (transport, not provider).
 */
import { JSON_TYPE, type Reply } from "../kit/http";

export * from "../kit/http";

/** Token endpoint headers (RFC 6749 §5.1 asks for no-store; Google sends all of these). */
export const TOKEN_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": JSON_TYPE,
  "cache-control": "no-cache, no-store, max-age=0, must-revalidate",
  pragma: "no-cache",
  expires: "Mon, 01 Jan 1990 00:00:00 GMT",
});

export function tokenReply(status: number, value: unknown): Reply {
  return { status, headers: { ...TOKEN_HEADERS }, body: JSON.stringify(value) };
}

/** Flat OAuth error, e.g. 400 `{"error":"invalid_grant","error_description":"Bad Request"}`. */
export function oauthError(status: number, error: string, description: string): Reply {
  return tokenReply(status, { error, error_description: description });
}

/** JSON with Google's HTML-safe escaping; JSON.parse reads it back unchanged. */
export function googleJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&='\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function apiReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "content-type": "application/json; charset=UTF-8", "cache-control": "private", vary: "Origin, X-Origin, Referer", ...headers }, body: googleJson(value) };
}

export interface ApiErrorItem {
  message: string;
  domain: string;
  reason: string;
  location?: string;
  locationType?: string;
}

export interface ApiErrorSpec {
  code: number;
  message: string;
  errors: ApiErrorItem[];
  /** google.rpc status name; absent on quotaExceeded and most youtube.* errors. */
  status?: string;
  details?: unknown[];
  headers?: Record<string, string>;
}

export function apiErrorReply(spec: ApiErrorSpec): Reply {
  const error: Record<string, unknown> = { code: spec.code, message: spec.message, errors: spec.errors };
  if (spec.status !== undefined) error.status = spec.status;
  if (spec.details !== undefined) error.details = spec.details;
  return apiReply(spec.code, { error }, spec.headers);
}
