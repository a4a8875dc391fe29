import { securityHeadersFromEnv } from "@/lib/observability/header-policy";
import { acceptRequestId, REQUEST_ID_HEADER } from "@/lib/observability/request-id";
import { withRequestContext } from "@/lib/observability/request-context";

/** Marks a handler built by apiRoute, so a test can check every API route is one. */
export const API_ROUTE = Symbol("socialflow.apiRoute");

type Handler<C> = (request: Request, context: C) => Response | Promise<Response>;

/**
 * Every `src/app/api/**` handler is built with this: it does for the API what `src/proxy.ts`
 * does for pages — a request id (kept from a trusted front proxy's `x-request-id` when
 * well-formed, generated otherwise) that the handler's log lines carry and the response echoes,
 * and the security headers on the response (`securityHeadersFromEnv`, as the proxy). The proxy
 * skips the API because running it costs each request a second pass through Next's request
 * handling (about 1.2 ms of server CPU of a refresh's 7.2: docs/performance.md, "Request path").
 */
export function apiRoute<C>(handler: Handler<C>): ((request: Request, context: C) => Promise<Response>) & { [API_ROUTE]: true } {
  const route = async (request: Request, context: C): Promise<Response> => {
    const requestId = acceptRequestId(request.headers.get(REQUEST_ID_HEADER));
    const response = await withRequestContext(requestId, () => handler(request, context));
    return withApiHeaders(response, new URL(request.url).pathname, requestId);
  };
  return Object.assign(route, { [API_ROUTE]: true as const });
}

function withApiHeaders(response: Response, pathname: string, requestId: string): Response {
  // A Response.redirect() or a fetched Response has immutable headers: answer with a copy then.
  let answer = response;
  try {
    answer.headers.set(REQUEST_ID_HEADER, requestId);
  } catch {
    answer = new Response(response.body, response);
    answer.headers.set(REQUEST_ID_HEADER, requestId);
  }
  for (const [name, value] of Object.entries(securityHeadersFromEnv(pathname))) answer.headers.set(name, value);
  return answer;
}
