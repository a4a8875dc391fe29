/**
 * Test helpers both sandboxes' tests share: drive a sandbox over real HTTP the way SocialFlow (and
 * a browser) would.
 */
import { afterAll, beforeAll, beforeEach } from "vitest";

/** RFC 7636 Appendix B. */
export const RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
export const RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/** Query parameters from a record; undefined values are left out (to test missing parameters). */
export function definedParams(values: Record<string, string | undefined>): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined) p.append(k, v);
  return p;
}

/** A started sandbox, as its start function returns it. */
export interface RunningSandbox<Control> {
  url: string;
  control: Control;
  close(): Promise<void>;
}

/**
 * One sandbox for the test file: started before its tests, reset before each, closed after. The
 * returned handle reads the running sandbox, so it is used inside tests (not at import time).
 */
export function sandboxForFile<C extends { reset(): void }>(start: () => Promise<RunningSandbox<C>>): RunningSandbox<C> {
  let running: RunningSandbox<C> | undefined;
  const live = (): RunningSandbox<C> => {
    if (running === undefined) throw new Error("the sandbox starts in beforeAll: use it inside a test");
    return running;
  };
  beforeAll(async () => {
    running = await start();
  });
  afterAll(() => running?.close());
  beforeEach(() => live().control.reset());
  return {
    get url() {
      return live().url;
    },
    get control() {
      return live().control;
    },
    close: () => live().close(),
  };
}

export { hiddenInputs } from "./html-form";

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
