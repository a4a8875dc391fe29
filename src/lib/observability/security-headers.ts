/**
 * Security headers for every response (issue 7, item 5), computed in one place so the proxy
 * (`src/proxy.ts`) and the tests agree. References: OWASP HTTP Headers cheat sheet, CSP Level 3,
 * RFC 9700 §4.2.4 (no Referer from OAuth redirects), docs/security.md S40.
 */

export interface HeaderPolicyInput {
  /** NEXT_PUBLIC_APP_URL: https turns on HSTS and upgrade-insecure-requests. */
  appUrl: string;
  /**
   * The networks' API base URLs (TIKTOK_API_BASE_URL, YOUTUBE_API_BASE_URL): an http one is a
   * local sandbox, whose origin serves avatars, covers and thumbnails in dev.
   */
  apiBaseUrls: readonly string[];
  /** Next's development server needs eval (React Refresh) and a websocket for HMR. */
  development: boolean;
}

/** Paths whose answers may carry or follow an OAuth code/state: never cached, never a Referer. */
export const OAUTH_PATH_PREFIX = "/api/oauth/";

function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Content-Security-Policy. Next.js inlines its bootstrap scripts and styles, so without
 * per-request nonces (which would force every page to render dynamically) `'unsafe-inline'`
 * stays for script-src and style-src; everything else is locked to this origin. Images may
 * come from any https origin (TikTok's CDNs for covers and avatars) and `data:`; an http API
 * origin (a local sandbox, TikTok's or Google's) is added for its images. Media may be `blob:`: the upload form
 * previews the chosen file through `URL.createObjectURL` (the file never leaves the page for it);
 * without it `default-src 'self'` blocks the preview. Forms only post to this app: the connect
 * flow leaves for TikTok by navigation, not by a form.
 */
export function contentSecurityPolicy(input: HeaderPolicyInput): string {
  const imgSrc = ["'self'", "https:", "data:"];
  for (const apiOrigin of input.apiBaseUrls.map(originOf)) {
    if (apiOrigin?.startsWith("http:") && !imgSrc.includes(apiOrigin)) imgSrc.push(apiOrigin);
  }
  const scriptSrc = ["'self'", "'unsafe-inline'", ...(input.development ? ["'unsafe-eval'"] : [])];
  const connectSrc = ["'self'", ...(input.development ? ["ws:", "wss:"] : [])];
  const directives: [string, string[]][] = [
    ["default-src", ["'self'"]],
    ["script-src", scriptSrc],
    ["style-src", ["'self'", "'unsafe-inline'"]],
    ["img-src", imgSrc],
    ["media-src", ["'self'", "blob:"]],
    ["font-src", ["'self'", "data:"]],
    ["connect-src", connectSrc],
    ["frame-ancestors", ["'none'"]],
    ["frame-src", ["'none'"]],
    ["object-src", ["'none'"]],
    ["base-uri", ["'self'"]],
    ["form-action", ["'self'"]],
  ];
  const policy = directives.map(([name, values]) => `${name} ${values.join(" ")}`);
  if (input.appUrl.startsWith("https://")) policy.push("upgrade-insecure-requests");
  return policy.join("; ");
}

/**
 * Cache-Control of the API's answers: never stored (RFC 9111 §5.2.2.5) and never transformed
 * (§5.2.2.6). `no-transform` also keeps Next's built-in gzip off these small, streamed answers:
 * without a Content-Length it compresses every one, however small, and a zlib stream per answer
 * was 6 % of the server's CPU under load (docs/performance.md, "Request path").
 */
export const API_CACHE_CONTROL = "no-store, no-transform";

/** The headers for a response to `pathname`. */
export function securityHeaders(pathname: string, input: HeaderPolicyInput): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Security-Policy": contentSecurityPolicy(input),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
  };
  if (input.appUrl.startsWith("https://")) headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains";
  if (isOAuthPath(pathname)) {
    headers["Referrer-Policy"] = "no-referrer";
    headers["Cache-Control"] = API_CACHE_CONTROL;
  }
  return headers;
}

export function isOAuthPath(pathname: string): boolean {
  return pathname === OAUTH_PATH_PREFIX.slice(0, -1) || pathname.startsWith(OAUTH_PATH_PREFIX);
}
