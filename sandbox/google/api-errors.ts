/**
 * The YouTube Data API's errors, in Google's envelope
 * (https://developers.google.com/youtube/v3/docs/errors and the "Errors" section of each method).
 *
 * Which fields appear follows observed answers: auth and scope errors carry a google.rpc `status`
 * (and `details` with an ErrorInfo); quotaExceeded and the youtube.* errors carry neither.
 */
import { apiErrorReply, type Reply } from "./http";

interface KnownError {
  code: number;
  domain: string;
  /** Top-level `error.message`. */
  message: string;
  /** `errors[0].message` when it differs from the top-level one. */
  itemMessage?: string;
  status?: string;
}

/** The quota message links to the docs; Google's JSON escapes its `<a>` (see googleJson). */
export const QUOTA_MESSAGE = 'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.';

const CREDENTIALS_HINT =
  "Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";

/** Default status, domain and message per reason, for faults and the handlers alike. */
export const API_ERRORS: Readonly<Record<string, KnownError | undefined>> = Object.freeze({
  required: { code: 401, domain: "global", message: `Request is missing required authentication credential. ${CREDENTIALS_HINT}`, itemMessage: "Login Required.", status: "UNAUTHENTICATED" },
  authError: { code: 401, domain: "global", message: `Request had invalid authentication credentials. ${CREDENTIALS_HINT}`, itemMessage: "Invalid Credentials", status: "UNAUTHENTICATED" },
  insufficientPermissions: { code: 403, domain: "global", message: "Request had insufficient authentication scopes.", itemMessage: "Insufficient Permission", status: "PERMISSION_DENIED" },
  quotaExceeded: { code: 403, domain: "youtube.quota", message: QUOTA_MESSAGE },
  rateLimitExceeded: { code: 403, domain: "usageLimits", message: "Rate Limit Exceeded" },
  userRateLimitExceeded: { code: 403, domain: "usageLimits", message: "User Rate Limit Exceeded" },
  dailyLimitExceeded: { code: 403, domain: "usageLimits", message: "Daily Limit Exceeded" },
  forbidden: { code: 403, domain: "global", message: "Forbidden" },
  youtubeSignupRequired: { code: 401, domain: "youtube.header", message: "Unauthorized" },
  channelNotFound: { code: 404, domain: "youtube.channel", message: "The channel identified with the request's channelId parameter cannot be found." },
  playlistNotFound: {
    code: 404,
    domain: "youtube.playlistItem",
    message: "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.",
  },
  missingRequiredParameter: { code: 400, domain: "youtube.parameter", message: "No filter selected." },
  invalidPageToken: { code: 400, domain: "youtube.parameter", message: "The request specifies an invalid page token." },
  invalidValue: { code: 400, domain: "youtube.parameter", message: "Invalid value." },
  incompatibleParameters: { code: 400, domain: "youtube.parameter", message: "Incompatible parameters specified in the request." },
  unknownPart: { code: 400, domain: "youtube.part", message: "Unknown part." },
  uploadLimitExceeded: { code: 400, domain: "youtube.video", message: "The user has exceeded the number of videos they may upload." },
  notFound: { code: 404, domain: "global", message: "Not Found" },
  backendError: { code: 503, domain: "global", message: "Backend Error" },
});

export function knownError(reason: string, overrides: { message?: string; location?: string; locationType?: string; headers?: Record<string, string> } = {}): Reply {
  const k = API_ERRORS[reason] ?? { code: 400, domain: "global", message: reason };
  const message = overrides.message ?? k.message;
  const item: { message: string; domain: string; reason: string; location?: string; locationType?: string } = {
    message: overrides.message ?? k.itemMessage ?? k.message,
    domain: k.domain,
    reason,
  };
  if (overrides.location !== undefined) item.location = overrides.location;
  if (overrides.locationType !== undefined) item.locationType = overrides.locationType;
  return apiErrorReply({ code: k.code, message, errors: [item], ...(k.status === undefined ? {} : { status: k.status }), ...(overrides.headers ? { headers: overrides.headers } : {}) });
}

/** 401 `required`: no Authorization header. */
export function missingCredentials(): Reply {
  return apiErrorReply({
    code: 401,
    message: API_ERRORS.required?.message ?? "",
    errors: [{ message: "Login Required.", domain: "global", reason: "required", location: "Authorization", locationType: "header" }],
    status: "UNAUTHENTICATED",
    details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "CREDENTIALS_MISSING", domain: "googleapis.com", metadata: { service: "youtube.googleapis.com" } }],
    headers: { "www-authenticate": 'Bearer realm="https://accounts.google.com/"' },
  });
}

/** 401 `authError`: expired, revoked or unknown access token. Refresh once, then reconnect. */
export function invalidCredentials(): Reply {
  return knownError("authError", {
    location: "Authorization",
    locationType: "header",
    headers: { "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  });
}

/** 403 `insufficientPermissions`: the token lacks every scope the method accepts. */
export function insufficientScope(method: string, acceptable: readonly string[]): Reply {
  return apiErrorReply({
    code: 403,
    message: "Request had insufficient authentication scopes.",
    errors: [{ message: "Insufficient Permission", domain: "global", reason: "insufficientPermissions" }],
    status: "PERMISSION_DENIED",
    details: [
      {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
        domain: "googleapis.com",
        metadata: { service: "youtube.googleapis.com", method },
      },
    ],
    headers: { "www-authenticate": `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${acceptable.join(" ")}"` },
  });
}

/** 403 `quotaExceeded` (no `status`): the project's daily quota is spent until midnight Pacific. */
export function quotaExceeded(): Reply {
  return knownError("quotaExceeded");
}

/** Per-minute limit: 403 `rateLimitExceeded`, or 429 with google.rpc status RESOURCE_EXHAUSTED. */
export function rateLimited(status: 403 | 429): Reply {
  return apiErrorReply({
    code: status,
    message: "Rate Limit Exceeded",
    errors: [{ message: "Rate Limit Exceeded", domain: "usageLimits", reason: "rateLimitExceeded" }],
    ...(status === 429 ? { status: "RESOURCE_EXHAUSTED" } : {}),
  });
}

export function parameterError(reason: "missingRequiredParameter" | "invalidPageToken" | "invalidValue" | "incompatibleParameters" | "unknownPart", message: string, location: string): Reply {
  return knownError(reason, { message, location, locationType: "parameter" });
}
