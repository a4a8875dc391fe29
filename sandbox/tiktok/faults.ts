/**
 * Fault injection: the next N requests to an endpoint misbehave the way real networks and gateways
 * do, so SocialFlow's handling of S17–S20 and S32 (docs/security.md) can be tested against HTTP.
 * The queue is the kit's (sandbox/kit/faults.ts); what each fault answers here is TikTok's.
 */
import type { EndpointName, Fault } from "./types";
import { apiErrorReply, apiErrorStatus, htmlReply, jsonReply, oauthErrorReply, type Reply } from "./http";

/**
 * "upload_url": the real answer with `data.upload_url` replaced (only where there is one: a
 * FILE_UPLOAD init that succeeded), so a client can be tested against an init answer that sends
 * the video somewhere else.
 */
export function withUploadUrl(reply: Reply, url: string): Reply {
  let parsed: unknown;
  try {
    parsed = JSON.parse(reply.body);
  } catch {
    return reply;
  }
  const data = (parsed as { data?: Record<string, unknown> } | null)?.data;
  if (typeof data !== "object" || data === null || typeof data.upload_url !== "string") return reply;
  data.upload_url = url;
  return { ...reply, body: JSON.stringify(parsed) };
}

/** OAuth endpoints answer in the flat style; everything else in the wrapped style. */
export function isOAuthEndpoint(endpoint: EndpointName): boolean {
  return endpoint === "token" || endpoint === "revoke";
}

/**
 * The reply a fault produces instead of the real handler, or undefined when the handler must still
 * run ("delay", "wrong_content_type" and "upload_url" wrap the real answer; "hang" never answers).
 */
export function faultReply(endpoint: EndpointName, fault: Fault, oauthErrorStatus: number, logId: string): Reply | undefined {
  switch (fault.kind) {
    case "status": {
      const headers: Record<string, string> = fault.retryAfterSec !== undefined ? { "retry-after": String(fault.retryAfterSec) } : {};
      const message = `Sandbox injected HTTP ${fault.status}.`;
      if (endpoint === "upload") return jsonReply(fault.status, { error: { code: "internal_error", message, log_id: logId } }, headers);
      return isOAuthEndpoint(endpoint)
        ? jsonReply(fault.status, { error: "internal_error", error_description: message, log_id: logId }, headers)
        : apiErrorReply("internal_error", message, logId, fault.status, headers);
    }
    case "html":
      // What a CDN or load balancer error page looks like: 200, text/html.
      return htmlReply(200, "<!DOCTYPE html><html><head><title>TikTok</title></head><body><h1>Please wait…</h1><p>Sandbox injected HTML.</p></body></html>");
    case "malformed_json":
      return { status: 200, headers: { "content-type": "application/json; charset=utf-8" }, body: '{"access_token":"act.trunc' };
    case "json_array":
      return { status: 200, headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify([{ error: "ok", log_id: logId }]) };
    case "oauth_error":
      return oauthErrorReply(fault.status ?? oauthErrorStatus, fault.error, fault.description ?? "Sandbox injected OAuth error.", logId);
    case "api_error":
      return apiErrorReply(fault.code, fault.message ?? "Sandbox injected API error.", logId, fault.status ?? apiErrorStatus(fault.code));
    case "wrong_content_type":
    case "delay":
    case "hang":
    case "upload_url":
      return undefined;
  }
}
