/**
 * Small HTTP helpers: replies in TikTok's two error styles, body reading, log ids.
 *
 * TikTok has two response shapes (https://developers.tiktok.com/doc/oauth-user-access-token-management, https://developers.tiktok.com/doc/tiktok-api-v2-video-list):
 * - OAuth endpoints (token, revoke): FLAT bodies, `{"access_token":…}` / `{"error":…,"error_description":…,"log_id":…}`.
 * - Data-plane APIs: WRAPPED bodies, `{"data":{…},"error":{"code":"ok","message":"","log_id":…}}`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_TYPE = "application/json; charset=utf-8";

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "content-type": JSON_TYPE, "cache-control": "no-store", ...headers }, body: JSON.stringify(value) };
}

export function htmlReply(status: number, html: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...headers }, body: html };
}

/** A generated image (avatars, covers): deterministic, so caches may keep it. */
export function svgReply(svg: string): Reply {
  return { status: 200, headers: { "content-type": "image/svg+xml", "cache-control": "public, max-age=3600" }, body: svg };
}

export function redirectReply(location: string): Reply {
  return { status: 302, headers: { location, "cache-control": "no-store", "referrer-policy": "no-referrer" }, body: "" };
}

export function emptyReply(status: number, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: "" };
}

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

// --- request bodies ----------------------------------------------------------------------------

export class BodyTooLargeError extends Error {
  constructor() {
    super("request body too large");
  }
}

/** Reads a small body as UTF-8 text, refusing more than `limit` bytes. */
export function readText(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", (err) => {
      if (!failed) {
        failed = true;
        reject(err);
      }
    });
  });
}

/** Reads and discards a body (so a keep-alive connection stays usable after an early answer). */
export function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded) {
      resolve();
      return;
    }
    req.on("end", () => resolve());
    req.on("error", () => resolve());
    req.on("close", () => resolve());
    req.resume();
  });
}

/** Media type without parameters, lower-cased: "application/json; charset=utf-8" → "application/json". */
export function mediaType(req: IncomingMessage): string {
  const raw = req.headers["content-type"] ?? "";
  return raw.split(";")[0]?.trim().toLowerCase() ?? "";
}

/**
 * Parses an x-www-form-urlencoded body. Repeated parameters make the request invalid
 * (RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once").
 */
export function parseForm(body: string): { params: Map<string, string>; duplicate: string | undefined } {
  const params = new Map<string, string>();
  let duplicate: string | undefined;
  for (const [k, v] of new URLSearchParams(body)) {
    if (params.has(k)) duplicate ??= k;
    params.set(k, v);
  }
  return { params, duplicate };
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const body = reply.body;
  res.writeHead(reply.status, { ...reply.headers, "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      default:
        return "&#39;";
    }
  });
}
