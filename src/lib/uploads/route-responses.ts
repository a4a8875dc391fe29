import { NextResponse } from "next/server";
import { jsonError, NO_STORE } from "@/lib/http/route-guard";
import { headerPolicyFromEnv } from "@/lib/observability/header-policy";
import { acceptRequestId, REQUEST_ID_HEADER } from "@/lib/observability/request-id";
import { withRequestContext } from "@/lib/observability/request-context";
import { securityHeaders } from "@/lib/observability/security-headers";
import type { UploadResult } from "./upload-service";

/** One shape for every upload route answer: `{ upload }` on success, `{ error, code, upload? }` otherwise. */
export function uploadResponse(result: UploadResult): NextResponse {
  if (result.ok) return NextResponse.json({ upload: result.upload }, { status: result.status, headers: NO_STORE });
  const response = result.upload
    ? NextResponse.json({ error: result.message, code: result.code, upload: result.upload }, { status: result.status, headers: NO_STORE })
    : jsonError(result.status, result.code, result.message);
  const retryAt = result.upload?.retryAt;
  if (result.retryAfterSec !== undefined) {
    // A quota (upload-service.ts): when trying again makes sense (RFC 9110 §10.2.3).
    response.headers.set("Retry-After", String(result.retryAfterSec));
  } else if (result.status === 429 && retryAt) {
    response.headers.set("Retry-After", String(Math.max(1, Math.ceil((Date.parse(retryAt) - Date.now()) / 1000))));
  }
  return response;
}

/**
 * What src/proxy.ts does for every other route, for the one it must skip (the body of an upload
 * cannot pass through Next's proxy: see the matcher there): a request id for the log lines and
 * the response, and the security headers.
 */
export async function asIfProxied(request: Request, handle: () => Promise<Response>): Promise<Response> {
  const requestId = acceptRequestId(request.headers.get(REQUEST_ID_HEADER));
  const response = await withRequestContext(requestId, handle);
  for (const [name, value] of Object.entries(securityHeaders(new URL(request.url).pathname, headerPolicyFromEnv()))) response.headers.set(name, value);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}
