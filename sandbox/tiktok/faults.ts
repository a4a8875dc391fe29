/**
 * Fault injection: the next N requests to an endpoint misbehave the way real networks and gateways
 * do, so SocialFlow's handling of S17–S20 and S32 (docs/security.md) can be tested against HTTP.
 */
import type { EndpointName, Fault } from "./types";
import { apiErrorReply, apiErrorStatus, htmlReply, jsonReply, oauthErrorReply, type Reply } from "./http";

interface QueuedFault {
  fault: Fault;
  remaining: number;
}

export class FaultQueue {
  private readonly queues = new Map<EndpointName, QueuedFault[]>();

  add(endpoint: EndpointName, fault: Fault, times: number): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError("times must be a positive integer");
    let q = this.queues.get(endpoint);
    if (q === undefined) {
      q = [];
      this.queues.set(endpoint, q);
    }
    q.push({ fault, remaining: times });
  }

  /** The fault for this request, if any (FIFO; each entry is used `times` times). */
  take(endpoint: EndpointName): Fault | undefined {
    const q = this.queues.get(endpoint);
    const head = q?.[0];
    if (q === undefined || head === undefined) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) q.shift();
    return head.fault;
  }

  pending(): { endpoint: EndpointName; fault: Fault; remaining: number }[] {
    const out: { endpoint: EndpointName; fault: Fault; remaining: number }[] = [];
    for (const [endpoint, q] of this.queues) for (const f of q) out.push({ endpoint, ...f });
    return out;
  }

  clear(): void {
    this.queues.clear();
  }
}

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
