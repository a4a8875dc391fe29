/**
 * Cross-site request check for every state-changing route (OWASP CSRF cheat sheet:
 * "Verifying Origin with standard headers"; Fetch Metadata `Sec-Fetch-Site`).
 *
 * A request is same-origin when its `Origin` equals the app's origin, or — for clients that
 * send no Origin — when `Sec-Fetch-Site` says `same-origin`. A request with neither header is
 * refused: browsers always send one of them on a POST, so only scripts omit both, and those
 * must say where they come from.
 */
export function isSameOriginRequest(request: Request, appUrl: string): boolean {
  const allowed = new URL(appUrl).origin;
  const origin = request.headers.get("origin");
  if (origin !== null) return origin === allowed;
  const site = request.headers.get("sec-fetch-site");
  return site === "same-origin";
}
