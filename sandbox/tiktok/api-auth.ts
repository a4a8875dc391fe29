/**
 * The common front door of every data-plane API (https://developers.tiktok.com/doc/tiktok-api-v2-video-list):
 * Bearer token → per-token rate limit → scope. Errors are WRAPPED.
 */
import type { IncomingHttpHeaders } from "node:http";
import { apiErrorReply, newLogId, type Reply } from "./http";
import type { Grant, SandboxState } from "./state";
import type { RateLimitedEndpoint, Scope } from "./types";

export interface ApiRequest {
  state: SandboxState;
  method: string;
  query: string;
  headers: IncomingHttpHeaders;
  mediaType: string;
  body: string;
}

export function apiError(state: SandboxState, code: string, message: string, status?: number, headers?: Record<string, string>): Reply {
  return apiErrorReply(code, message, newLogId(state.now()), status, headers);
}

const BEARER_RE = /^Bearer\s+(\S+)\s*$/i;

/**
 * Returns the caller's grant, or the error reply. `anyOf`: the request needs at least one of these
 * scopes (status fetch accepts video.upload or video.publish).
 */
export function authenticateApi(req: ApiRequest, endpoint: RateLimitedEndpoint | undefined, anyOf: readonly Scope[]): { grant: Grant; token: string } | Reply {
  const { state } = req;
  const header = req.headers.authorization;
  const match = typeof header === "string" ? BEARER_RE.exec(header) : null;
  const token = match?.[1];
  if (token === undefined) return apiError(state, "access_token_invalid", "The access token is invalid or not found in the request.");
  const grant = state.accessGrant(token);
  if (grant === "expired") return apiError(state, "access_token_invalid", "The access token has expired.");
  if (grant === "invalid" || grant === "revoked") {
    return apiError(state, "access_token_invalid", "The access token is invalid or not found in the request.");
  }
  if (endpoint !== undefined) {
    const waitMs = state.limiter.hit(`${endpoint}\u0000${token}`, state.options.rateLimits[endpoint], state.now());
    if (waitMs > 0) {
      return apiError(state, "rate_limit_exceeded", "The API rate limit was exceeded. Please try again later.", 429, {
        "retry-after": String(Math.ceil(waitMs / 1000)),
      });
    }
  }
  if (anyOf.length > 0 && !anyOf.some((s) => grant.scopes.has(s))) {
    return apiError(state, "scope_not_authorized", `The user did not authorize the scope required for completing this request (${anyOf.join(" or ")}).`);
  }
  return { grant, token };
}

export function isReply(x: unknown): x is Reply {
  return typeof x === "object" && x !== null && "status" in x && "body" in x;
}

/** Parses a JSON object body; an empty body counts as `{}`. */
export function parseJsonBody(req: ApiRequest): { ok: true; value: unknown } | { ok: false; reply: Reply } {
  if (req.body.trim() === "") return { ok: true, value: {} };
  if (req.mediaType !== "application/json") {
    return { ok: false, reply: apiError(req.state, "invalid_params", "Content-Type must be application/json.") };
  }
  try {
    return { ok: true, value: JSON.parse(req.body) as unknown };
  } catch {
    return { ok: false, reply: apiError(req.state, "invalid_params", "The request body is not valid JSON.") };
  }
}
