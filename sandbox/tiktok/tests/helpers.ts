/**
 * Test helpers: drive the sandbox over real HTTP the way SocialFlow (and a browser) would.
 */
import { startTikTokSandbox } from "../index";
import { DEFAULT_REDIRECT_URI } from "../options";
import type { SandboxControl, SandboxOptions } from "../types";
import { definedParams, hiddenInputs, httpResult, postForm, RFC_CHALLENGE, RFC_VERIFIER, type HttpResult, type RunningSandbox } from "../../kit/test-helpers";

export { hiddenInputs, RFC_CHALLENGE, RFC_VERIFIER, type HttpResult } from "../../kit/test-helpers";
/** SHA-256 of the same verifier, hex (TikTok desktop). */
export const RFC_CHALLENGE_HEX = "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3";

export const CLIENT_KEY = "sandbox_client_key";
export const CLIENT_SECRET = "sandbox_client_secret";
export const REDIRECT_URI = DEFAULT_REDIRECT_URI;
export const AVA = "sbx-ava-0001";
export const BEN = "sbx-ben-0002";
export const CLEO = "sbx-cleo-0003";

export type Sandbox = RunningSandbox<SandboxControl>;

export function start(options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  return startTikTokSandbox({ port: 0, ...options });
}

export function authorizeParams(overrides: Record<string, string | undefined> = {}): URLSearchParams {
  const base: Record<string, string | undefined> = {
    client_key: CLIENT_KEY,
    response_type: "code",
    scope: "user.info.basic,video.list",
    redirect_uri: REDIRECT_URI,
    state: "state-123",
    code_challenge: RFC_CHALLENGE,
    code_challenge_method: "S256",
    ...overrides,
  };
  return definedParams(base);
}

export interface ConsentChoice {
  /** Optional scopes left ticked; default: all requested. */
  granted?: string[];
  openId?: string;
  decision?: "authorize" | "cancel";
}

/** GET the consent page, then POST the decision like the browser form does. Returns the redirect. */
export async function consent(url: string, params: URLSearchParams, choice: ConsentChoice = {}): Promise<{ status: number; location: string | null; html: string }> {
  const page = await fetch(`${url}/v2/auth/authorize/?${params}`);
  const html = await page.text();
  if (page.status !== 200) return { status: page.status, location: page.headers.get("location"), html };
  const form = new URLSearchParams(hiddenInputs(html));
  const requested = (params.get("scope") ?? "").split(",");
  for (const s of choice.granted ?? requested) form.append("scope_granted", s);
  form.append("open_id", choice.openId ?? AVA);
  form.append("decision", choice.decision ?? "authorize");
  const res = await fetch(`${url}/v2/auth/authorize/decision`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
    redirect: "manual",
  });
  return { status: res.status, location: res.headers.get("location"), html: await res.text() };
}

/** Runs the consent and returns the callback's parameters. */
export async function getCode(url: string, params = authorizeParams(), choice: ConsentChoice = {}): Promise<{ code: string; scopes: string; state: string | null; location: string }> {
  const r = await consent(url, params, choice);
  if (r.status !== 302 || r.location === null) throw new Error(`expected a redirect, got ${r.status}`);
  const cb = new URL(r.location);
  const code = cb.searchParams.get("code");
  if (code === null) throw new Error(`no code in ${r.location}`);
  return { code, scopes: cb.searchParams.get("scopes") ?? "", state: cb.searchParams.get("state"), location: r.location };
}

export function tokenRequest(url: string, form: Record<string, string>, path = "/v2/oauth/token/"): Promise<HttpResult> {
  return postForm(`${url}${path}`, form);
}

export function exchange(url: string, code: string, extra: Record<string, string> = {}): Promise<HttpResult> {
  return tokenRequest(url, {
    client_key: CLIENT_KEY,
    client_secret: CLIENT_SECRET,
    code,
    grant_type: "authorization_code",
    redirect_uri: REDIRECT_URI,
    code_verifier: RFC_VERIFIER,
    ...extra,
  });
}

export function refresh(url: string, refreshToken: string, extra: Record<string, string> = {}): Promise<HttpResult> {
  return tokenRequest(url, { client_key: CLIENT_KEY, client_secret: CLIENT_SECRET, grant_type: "refresh_token", refresh_token: refreshToken, ...extra });
}

export function revoke(url: string, token: string, extra: Record<string, string> = {}): Promise<HttpResult> {
  return tokenRequest(url, { client_key: CLIENT_KEY, client_secret: CLIENT_SECRET, token, ...extra }, "/v2/oauth/revoke/");
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  open_id: string;
  scope: string;
  expires_in: number;
  refresh_expires_in: number;
}

/** Full browser-style connect: consent → code → token exchange. */
export async function connect(url: string, scope = "user.info.basic,video.list", choice: ConsentChoice = {}): Promise<Tokens> {
  const { code } = await getCode(url, authorizeParams({ scope }), choice);
  const r = await exchange(url, code);
  if (typeof r.json.access_token !== "string") throw new Error(`exchange failed: ${r.text}`);
  return r.json as unknown as Tokens;
}

export async function api(url: string, path: string, init: { token?: string; method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    headers["content-type"] ??= "application/json; charset=UTF-8";
    body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
  }
  const res = await fetch(`${url}${path}`, { method: init.method ?? (body === undefined ? "GET" : "POST"), headers, body });
  return httpResult(res);
}

export function errorCode(r: HttpResult): string | undefined {
  const e = r.json.error;
  return e && typeof e === "object" && "code" in e ? String((e as { code: unknown }).code) : undefined;
}

export function data<T = Record<string, unknown>>(r: HttpResult): T {
  return r.json.data as T;
}
