/**
 * Test helpers both sandboxes' tests share: drive a sandbox over real HTTP the way SocialFlow (and
 * a browser) would.
 */

/** RFC 7636 Appendix B. */
export const RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
export const RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/** A started sandbox, as its start function returns it. */
export interface RunningSandbox<Control> {
  url: string;
  control: Control;
  close(): Promise<void>;
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };
const unescapeHtml = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m);

/** Hidden inputs of a form, as a browser would submit them. */
export function hiddenInputs(html: string): [string, string][] {
  const out: [string, string][] = [];
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out.push([unescapeHtml(m[1] ?? ""), unescapeHtml(m[2] ?? "")]);
  return out;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  contentType: string;
  text: string;
  /** The body when it is a JSON object, else {}. */
  json: Record<string, unknown>;
}

export async function httpResult(res: Response): Promise<HttpResult> {
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, contentType: res.headers.get("content-type") ?? "", text, json };
}

/** POSTs an x-www-form-urlencoded body (token, revoke). */
export async function postForm(url: string, body: Record<string, string>, headers: Record<string, string> = {}): Promise<HttpResult> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(body).toString(),
  });
  return httpResult(res);
}

/** One call of the control API over HTTP (`${url}/__sandbox/<route>`), as Playwright makes it. */
export async function controlRequest(url: string, method: string, route: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${url}/__sandbox/${route}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as unknown };
}
