import { NextResponse, type NextRequest } from "next/server";
import { RETURN_TO_HEADER } from "@/lib/auth/sign-in-redirect";
import { securityHeadersFromEnv } from "@/lib/observability/header-policy";
import { acceptRequestId, REQUEST_ID_HEADER } from "@/lib/observability/request-id";

/**
 * Runs before every page (Next.js 16 Proxy, formerly Middleware; API handlers do the same
 * through `apiRoute`): gives the request an id — kept from a trusted front proxy's
 * `x-request-id` when well-formed, generated otherwise — that the page's log lines carry and the
 * response echoes, and puts the security headers on the response (docs/observability.md). No
 * session or database work here.
 */
export function proxy(request: NextRequest) {
  const requestId = acceptRequestId(request.headers.get(REQUEST_ID_HEADER));
  const forwarded = new Headers(request.headers);
  forwarded.set(REQUEST_ID_HEADER, requestId);
  // The page asked for, so a signed-out visit can come back to it after sign-in.
  forwarded.set(RETURN_TO_HEADER, request.nextUrl.pathname + request.nextUrl.search);
  const response = NextResponse.next({ request: { headers: forwarded } });
  for (const [name, value] of Object.entries(securityHeadersFromEnv(request.nextUrl.pathname))) response.headers.set(name, value);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}

export const config = {
  // Pages only: not Next's immutable build assets (they get nosniff from next.config.ts), and not
  // the API, whose handlers do the same work themselves (src/lib/http/api-route.ts) — for the
  // API it cost a second pass through Next's request handling on every call, and Next hands a
  // proxied request's body to the proxy by buffering a copy without back-pressure, cut at 10 MB
  // (proxyClientMaxBodySize), which a video upload's body must never go through (issue #6).
  matcher: ["/((?!_next/static|_next/image|api/).*)"],
};
