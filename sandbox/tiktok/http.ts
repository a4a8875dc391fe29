/**
 * TikTok's reply shapes: its two error styles and log ids (generic replies and body reading are
 * the kit's, re-exported here).
 *
 * TikTok has two response shapes (https://developers.tiktok.com/doc/oauth-user-access-token-management, https://developers.tiktok.com/doc/tiktok-api-v2-video-list):
 * - OAuth endpoints (token, revoke): FLAT bodies, `{"access_token":…}` / `{"error":…,"error_description":…,"log_id":…}`.
 * - Data-plane APIs: WRAPPED bodies, `{"data":{…},"error":{"code":"ok","message":"","log_id":…}}`.
 */
import { randomBytes } from "node:crypto";
import { jsonReply, type Reply } from "../kit/http";

export * from "../kit/http";

// --- log ids ------------------------------------------------------------------------------------

const LOG_PREFIX = randomBytes(4).toString("hex").toUpperCase();
let logSeq = 0;

/**
 * TikTok log ids look like `202206221854370101130062072500FFA2`: a UTC timestamp then hex.
 * A per-process prefix and a counter keep them unique without spending entropy per request.
 */
export function newLogId(nowMs: number): string {
  const d = new Date(nowMs);
  const ts =
    String(d.getUTCFullYear()) +
    String(d.getUTCMonth() + 1).padStart(2, "0") +
    String(d.getUTCDate()).padStart(2, "0") +
    String(d.getUTCHours()).padStart(2, "0") +
    String(d.getUTCMinutes()).padStart(2, "0") +
    String(d.getUTCSeconds()).padStart(2, "0");
  logSeq = (logSeq + 1) % 0x1000000;
  return `${ts}${LOG_PREFIX}${logSeq.toString(16).toUpperCase().padStart(6, "0")}`;
}

// --- the two error styles -------------------------------------------------------------------------

/** Flat OAuth error (https://developers.tiktok.com/doc/oauth-user-access-token-management). `status` is the configurable oauthErrorStatus (400 or 200). */
export function oauthErrorReply(status: number, error: string, description: string, logId: string): Reply {
  return jsonReply(status, { error, error_description: description, log_id: logId });
}

/** Default HTTP status per wrapped error code (https://developers.tiktok.com/doc/tiktok-api-v2-video-list, https://developers.tiktok.com/doc/content-posting-api-reference-upload-video). */
export function apiErrorStatus(code: string): number {
  switch (code) {
    case "access_token_invalid":
    case "scope_not_authorized":
      return 401;
    case "rate_limit_exceeded":
      return 429;
    case "internal_error":
      return 500;
    case "spam_risk_too_many_posts":
    case "spam_risk_user_banned_from_posting":
    case "spam_risk_too_many_pending_share":
    case "reached_active_user_cap":
    case "unaudited_client_can_only_post_to_private_accounts":
    case "url_ownership_unverified":
    case "privacy_level_option_mismatch":
      return 403;
    default:
      return 400;
  }
}

/** Wrapped data-plane error: `data` is `{}`, `error.code` is not "ok". */
export function apiErrorReply(code: string, message: string, logId: string, status = apiErrorStatus(code), headers: Record<string, string> = {}): Reply {
  return jsonReply(status, { data: {}, error: { code, message, log_id: logId } }, headers);
}

export function apiOkReply(data: unknown, logId: string): Reply {
  return jsonReply(200, { data, error: { code: "ok", message: "", log_id: logId } });
}
