/**
 * Test helpers: drive the Google sandbox over real HTTP the way SocialFlow (and a browser) would.
 */
import { startGoogleSandbox } from "../index";
import { DEFAULT_CLIENT, DEFAULT_REDIRECT_URI } from "../options";
import type { SandboxControl, SandboxOptions } from "../types";
import { consent, type ConsentChoice } from "../browser";
import { definedParams, httpResult, postForm, RFC_CHALLENGE, RFC_VERIFIER, type HttpResult, type RunningSandbox } from "../../kit/test-helpers";

export { hiddenInputs, RFC_CHALLENGE, RFC_VERIFIER, type HttpResult } from "../../kit/test-helpers";

export const CLIENT_ID = DEFAULT_CLIENT.clientId;
export const CLIENT_SECRET = DEFAULT_CLIENT.clientSecret;
export const REDIRECT_URI = DEFAULT_REDIRECT_URI;
export const ADA = "gsb-ada-0001";
export const ADA_BRAND = "gsb-adabrand-0002";
export const BEN = "gsb-ben-0003";
export const NORA = "gsb-nora-0004";

const G = "https://www.googleapis.com/auth/";
export const READONLY = `${G}youtube.readonly`;
export const UPLOAD = `${G}youtube.upload`;
export const USERINFO_EMAIL = `${G}userinfo.email`;
/** What SocialFlow asks for by default. */
export const YT_SCOPES = `${READONLY} ${UPLOAD}`;

export type Sandbox = RunningSandbox<SandboxControl>;

export function start(options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  return startGoogleSandbox({ port: 0, ...options });
}

export function authorizeParams(overrides: Record<string, string | undefined> = {}): URLSearchParams {
  const base: Record<string, string | undefined> = {
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    scope: YT_SCOPES,
    access_type: "offline",
    prompt: "consent select_account",
    include_granted_scopes: "true",
    state: "state-123",
    code_challenge: RFC_CHALLENGE,
    code_challenge_method: "S256",
    ...overrides,
  };
  return definedParams(base);
}

export { consent, type ConsentChoice, type Step } from "../browser";

export interface Callback {
  code: string;
  scope: string;
  state: string | null;
  params: URLSearchParams;
  location: string;
}

export async function getCode(url: string, params = authorizeParams(), choice: ConsentChoice = {}): Promise<Callback> {
  const r = await consent(url, params, choice);
  if (r.status !== 302 || r.location === null) throw new Error(`expected a redirect, got ${r.status}`);
  const cb = new URL(r.location);
  const code = cb.searchParams.get("code");
  if (code === null) throw new Error(`no code in ${r.location}`);
  return { code, scope: cb.searchParams.get("scope") ?? "", state: cb.searchParams.get("state"), params: cb.searchParams, location: r.location };
}

export function form(url: string, path: string, body: Record<string, string>, headers: Record<string, string> = {}): Promise<HttpResult> {
  return postForm(`${url}${path}`, body, headers);
}

export function exchange(url: string, code: string, extra: Record<string, string | undefined> = {}): Promise<HttpResult> {
  const body: Record<string, string> = {};
  const all: Record<string, string | undefined> = {
    code,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uri: REDIRECT_URI,
    grant_type: "authorization_code",
    code_verifier: RFC_VERIFIER,
    ...extra,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) body[k] = v;
  return form(url, "/token", body);
}

export function refresh(url: string, refreshToken: string, extra: Record<string, string> = {}): Promise<HttpResult> {
  return form(url, "/token", { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: "refresh_token", refresh_token: refreshToken, ...extra });
}

export function revoke(url: string, token: string): Promise<HttpResult> {
  return form(url, "/revoke", { token });
}

export interface Tokens {
  access_token: string;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  expires_in: number;
  scope: string;
  token_type: string;
  id_token?: string;
}

/** Full browser-style connect: chooser → consent → code → token exchange. */
export async function connect(url: string, overrides: Record<string, string | undefined> = {}, choice: ConsentChoice = {}): Promise<Tokens> {
  const { code } = await getCode(url, authorizeParams(overrides), choice);
  const r = await exchange(url, code);
  if (typeof r.json.access_token !== "string") throw new Error(`exchange failed: ${r.text}`);
  return r.json as unknown as Tokens;
}

export async function yt(url: string, pathAndQuery: string, token?: string): Promise<HttpResult> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  return httpResult(await fetch(`${url}/youtube/v3/${pathAndQuery}`, { headers }));
}

export interface GoogleError {
  code: number;
  message: string;
  errors: { message: string; domain: string; reason: string; location?: string; locationType?: string }[];
  status?: string;
  details?: unknown[];
}

export function googleError(r: HttpResult): GoogleError {
  return r.json.error as GoogleError;
}

export function reason(r: HttpResult): string | undefined {
  return googleError(r)?.errors?.[0]?.reason;
}

export function decodeJwt(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, c] = jwt.split(".");
  return { header: JSON.parse(Buffer.from(h ?? "", "base64url").toString()) as Record<string, unknown>, claims: JSON.parse(Buffer.from(c ?? "", "base64url").toString()) as Record<string, unknown> };
}
