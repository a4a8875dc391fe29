/**
 * Fault injection: the next N requests to an endpoint misbehave the way networks, gateways and
 * Google itself do, so SocialFlow's error handling can be tested over HTTP. The queue is the kit's
 * (sandbox/kit/faults.ts); what each fault answers here is Google's.
 */
import type { EndpointName, Fault } from "./types";
import { apiErrorReply, htmlReply, oauthError, tokenReply, type Reply } from "./http";
import { API_ERRORS } from "./api-errors";

export function isOAuthEndpoint(endpoint: EndpointName): boolean {
  return endpoint === "token" || endpoint === "revoke";
}

/**
 * The reply a fault produces instead of the real handler, or undefined when the handler must still
 * run ("delay" and "wrong_content_type" wrap the real answer; "hang" never answers).
 */
export function faultReply(endpoint: EndpointName, fault: Fault): Reply | undefined {
  switch (fault.kind) {
    case "status": {
      const headers: Record<string, string> = fault.retryAfterSec !== undefined ? { "retry-after": String(fault.retryAfterSec) } : {};
      if (isOAuthEndpoint(endpoint)) {
        const r = tokenReply(fault.status, { error: "internal_failure", error_description: `Sandbox injected HTTP ${fault.status}.` });
        return { ...r, headers: { ...r.headers, ...headers } };
      }
      return apiErrorReply({
        code: fault.status,
        message: `Sandbox injected HTTP ${fault.status}.`,
        errors: [{ message: `Sandbox injected HTTP ${fault.status}.`, domain: "global", reason: fault.status >= 500 ? "backendError" : "badRequest" }],
        headers,
      });
    }
    case "html":
      // What a proxy or Google's front end says when something upstream broke: HTML, not JSON.
      return htmlReply(
        502,
        "<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Error 502 (Server Error)!!1</title><p><b>502.</b> <ins>That’s an error.</ins><p>The server encountered a temporary error. Please try again in 30 seconds. <ins>That’s all we know.</ins>",
      );
    case "malformed_json":
      return { status: 200, headers: { "content-type": "application/json; charset=utf-8" }, body: '{"access_token":"ya29.trunc' };
    case "oauth_error":
      return oauthError(fault.status ?? 400, fault.error, fault.description ?? "Sandbox injected OAuth error.");
    case "api_error": {
      const known = API_ERRORS[fault.reason];
      const code = fault.status ?? known?.code ?? 400;
      const message = fault.message ?? known?.message ?? "Sandbox injected API error.";
      // 429 is how Google's newer front end reports a per-minute limit: RESOURCE_EXHAUSTED.
      const status = code === 429 ? "RESOURCE_EXHAUSTED" : known?.status;
      return apiErrorReply({
        code,
        message,
        errors: [{ message: known?.itemMessage ?? message, domain: fault.domain ?? known?.domain ?? "global", reason: fault.reason }],
        ...(status === undefined ? {} : { status }),
      });
    }
    case "wrong_content_type":
    case "delay":
    case "hang":
      return undefined;
  }
}
