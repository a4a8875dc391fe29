/**
 * YouTubeOAuth against the Google sandbox (sandbox/google), started in process: the browser half
 * is driven through the sandbox's chooser and consent forms like a browser would.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { codeChallengeS256, createCodeVerifier } from "@/lib/connections/pkce";
import { parseCallbackUrl } from "@/lib/connections/callback-params";
import { OAuthProviderError, ProviderRequestError } from "@/lib/connections/errors";
import { MAX_TOKEN_LIFETIME_S, tokenSchedule } from "@/lib/connections/token-schedule";
import { loadYouTubeConfig, YOUTUBE_READONLY, YOUTUBE_UPLOAD, type YouTubeConfig } from "@/lib/providers/youtube/config";
import { missingScopes, tokenFailure, YouTubeOAuth } from "@/lib/providers/youtube/oauth";
import { YouTubeApiClient } from "@/lib/providers/youtube/api-client";
import { channelProfile } from "@/lib/providers/youtube/profile";
import { YouTubeQuotaLedger } from "@/lib/providers/youtube/quota-ledger";
import { scopeInWords } from "@/lib/providers/youtube/messages";
import { DEFAULT_CLIENT, startGoogleSandbox, type RunningGoogleSandbox } from "../../sandbox/google";
import { ADA, ADA_BRAND, BEN, consent, type ConsentChoice } from "../../sandbox/google/tests/helpers";

const APP_URL = "http://localhost:3000";
let sb: RunningGoogleSandbox;
let config: YouTubeConfig;
let oauth: YouTubeOAuth;

/** The app's Google settings pointed at this file's sandbox. */
const sandboxEnv = (): Record<string, string> => ({
  GOOGLE_CLIENT_ID: DEFAULT_CLIENT.clientId,
  GOOGLE_CLIENT_SECRET: DEFAULT_CLIENT.clientSecret,
  GOOGLE_AUTH_URL: `${sb.url}/o/oauth2/v2/auth`,
  GOOGLE_TOKEN_URL: `${sb.url}/token`,
  GOOGLE_REVOKE_URL: `${sb.url}/revoke`,
  YOUTUBE_API_BASE_URL: sb.url,
  GOOGLE_SANDBOX: "on",
});

beforeAll(async () => {
  sb = await startGoogleSandbox({ port: 0 });
  config = loadYouTubeConfig(sandboxEnv(), APP_URL)!;
  oauth = new YouTubeOAuth(config);
});
afterAll(() => sb.close());
beforeEach(() => sb.control.reset());

/** authorizationUrl → the sandbox's chooser and consent → the callback URL Google redirects to. */
async function authorize(choice: ConsentChoice = {}, scopes?: string[]) {
  const verifier = createCodeVerifier();
  const url = new URL(oauth.authorizationUrl({ state: "st-1", codeChallenge: codeChallengeS256(verifier, "base64url"), scopes }));
  const step = await consent(sb.url, url.searchParams, choice);
  expect(step.status).toBe(302);
  return { verifier, callback: step.location!, consentHtml: step.consentHtml };
}

async function connect(choice: ConsentChoice = {}) {
  const { verifier, callback } = await authorize(choice);
  const parsed = parseCallbackUrl(callback, { scopeParam: "scope" });
  if (!parsed.ok || !parsed.code) throw new Error("no code");
  return oauth.exchangeCode(parsed.code, verifier);
}

describe("Google OAuth for YouTube, against the Google sandbox", () => {
  it("the authorization URL asks Google's way: offline, consent + chooser, incremental, PKCE S256, space-separated URL scopes", () => {
    const url = new URL(oauth.authorizationUrl({ state: "s", codeChallenge: "c" }));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: DEFAULT_CLIENT.clientId,
      redirect_uri: `${APP_URL}/api/oauth/youtube/callback`,
      response_type: "code",
      scope: `${YOUTUBE_READONLY} ${YOUTUBE_UPLOAD}`,
      access_type: "offline",
      prompt: "consent select_account",
      include_granted_scopes: "true",
      state: "s",
      code_challenge: "c",
      code_challenge_method: "S256",
    });
  });

  it("full code flow with PKCE: a refresh token, expires_in 3599, granted scopes split on spaces, no user id in the token answer", async () => {
    const tokens = await connect();
    expect(tokens.accessToken).toMatch(/^ya29\./);
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.expiresIn).toBe(3599);
    expect(tokens.providerUserId).toBeUndefined();
    expect(tokens.scopes).toEqual(expect.arrayContaining([YOUTUBE_READONLY, YOUTUBE_UPLOAD]));
    expect(missingScopes(tokens.scopes, config.scopes)).toEqual([]);
    expect(sb.control.tokenState(tokens.refreshToken!)).toBe("valid");
  });

  it("a wrong PKCE verifier is invalid_grant, and the code is spent", async () => {
    const { callback } = await authorize();
    const parsed = parseCallbackUrl(callback, { scopeParam: "scope" });
    if (!parsed.ok || !parsed.code) throw new Error("no code");
    const error = await oauth.exchangeCode(parsed.code, createCodeVerifier()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthProviderError);
    expect(tokenFailure(error)).toBe("invalid_grant");
  });

  it("a reconnect still gets a refresh token (prompt=consent shows the screen again)", async () => {
    await connect();
    const again = await connect();
    expect(again.refreshToken).toBeTruthy();
  });

  it("the callback's extra parameters (authuser, prompt, hd, iss, scope) are tolerated", async () => {
    sb.control.setOptions({ issParameter: true });
    const { callback } = await authorize({ account: BEN });
    const params = new URL(callback).searchParams;
    for (const name of ["authuser", "prompt", "hd", "iss", "scope"]) expect(params.has(name)).toBe(true);
    const parsed = parseCallbackUrl(callback, { scopeParam: "scope" });
    expect(parsed).toMatchObject({ ok: true, state: "st-1", error: undefined });
  });

  it("Cancel → ?error=access_denied, mapped to the fixed access_denied code; unknown errors → provider_error", async () => {
    const { callback } = await authorize({ cancelAt: "consent" });
    const parsed = parseCallbackUrl(callback, { scopeParam: "scope" });
    expect(parsed).toMatchObject({ ok: true, error: "access_denied", code: undefined });
    expect(oauth.mapAuthorizationError("access_denied")).toBe("access_denied");
    expect(oauth.mapAuthorizationError("consent_required")).toBe("provider_error");
    expect(oauth.mapAuthorizationError("constructor")).toBe("provider_error");
  });

  it("refresh does not rotate: no refresh token in the answer, the stored one stays valid", async () => {
    const first = await connect();
    const refreshed = await oauth.refresh(first.refreshToken!);
    expect(refreshed.refreshToken).toBeUndefined();
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    expect(refreshed.expiresIn).toBe(3599);
    expect(sb.control.tokenState(first.refreshToken!)).toBe("valid");
    expect((await oauth.refresh(first.refreshToken!)).accessToken).toBeTruthy();
  });

  it("revoke: 200 ends the grant; revoking again (400 invalid_token) resolves as already revoked; a refresh is then invalid_grant", async () => {
    const tokens = await connect();
    await oauth.revoke(tokens.refreshToken!);
    expect(sb.control.tokenState(tokens.refreshToken!)).toBe("revoked");
    await expect(oauth.revoke(tokens.refreshToken!)).resolves.toBeUndefined();
    await expect(oauth.revoke(tokens.accessToken)).resolves.toBeUndefined();
    expect(tokenFailure(await oauth.refresh(tokens.refreshToken!).catch((e: unknown) => e))).toBe("invalid_grant");
  });

  it("revoke: a 503 or another error is not taken for success", async () => {
    const tokens = await connect();
    sb.control.queueFault("revoke", { kind: "status", status: 503 });
    const unavailable = await oauth.revoke(tokens.accessToken).catch((e: unknown) => e);
    expect(unavailable).toBeInstanceOf(ProviderRequestError);
    expect(tokenFailure(unavailable)).toBe("transient");
    sb.control.queueFault("revoke", { kind: "oauth_error", error: "invalid_request", status: 400 });
    expect(await oauth.revoke(tokens.accessToken).catch((e: unknown) => e)).toMatchObject({ error: "invalid_request" });
    expect(sb.control.accessTokenState(tokens.accessToken)).toBe("valid");
  });

  it("token errors branch on `error`, never on the description: invalid_grant / transient / other", async () => {
    const tokens = await connect();
    for (const description of ["Token has been expired or revoked.", "Bad Request", "anything at all"]) {
      sb.control.queueFault("token", { kind: "oauth_error", error: "invalid_grant", description });
      expect(tokenFailure(await oauth.refresh(tokens.refreshToken!).catch((e: unknown) => e))).toBe("invalid_grant");
    }
    sb.control.queueFault("token", { kind: "oauth_error", error: "invalid_client", status: 401 });
    expect(tokenFailure(await oauth.refresh(tokens.refreshToken!).catch((e: unknown) => e))).toBe("other");
    for (const fault of [{ kind: "status", status: 503 }, { kind: "status", status: 429 }, { kind: "html" }] as const) {
      sb.control.queueFault("token", fault);
      expect(tokenFailure(await oauth.refresh(tokens.refreshToken!).catch((e: unknown) => e))).toBe("transient");
    }
    // A 503 that carries an OAuth error body is still Google's trouble, not the end of access.
    sb.control.queueFault("token", { kind: "oauth_error", error: "invalid_grant", status: 503 });
    expect(tokenFailure(await oauth.refresh(tokens.refreshToken!).catch((e: unknown) => e))).toBe("transient");
    const offline = new YouTubeOAuth(config, { fetch: () => Promise.reject(new TypeError("fetch failed")) });
    expect(tokenFailure(await offline.refresh("x").catch((e: unknown) => e))).toBe("transient");
    sb.control.queueFault("token", { kind: "malformed_json" });
    expect(tokenFailure(await oauth.refresh(tokens.refreshToken!).catch((e: unknown) => e))).toBe("other");
  });

  it("S66: token lifetimes are capped like TikTok's, at MAX_TOKEN_LIFETIME_S: a longer expires_in or refresh_token_expires_in is a malformed answer", async () => {
    const answering = (body: Record<string, unknown>) =>
      new YouTubeOAuth(config, {
        fetch: () => Promise.resolve(new Response(JSON.stringify({ access_token: "ya29.a", token_type: "Bearer", ...body }), { headers: { "content-type": "application/json" } })),
      });
    for (const body of [
      { expires_in: 3599, refresh_token_expires_in: 9e12 },
      { expires_in: 3599, refresh_token_expires_in: MAX_TOKEN_LIFETIME_S + 1 },
      { expires_in: MAX_TOKEN_LIFETIME_S + 1 },
      { expires_in: 1e300 },
    ]) {
      const error = await answering(body).refresh("1//r").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderRequestError);
      expect(error).toMatchObject({ kind: "malformed_response" });
      expect(tokenFailure(error)).toBe("other");
    }
    // At the cap exactly, accepted, and the schedule it makes is a real date.
    const tokens = await answering({ expires_in: MAX_TOKEN_LIFETIME_S, refresh_token_expires_in: MAX_TOKEN_LIFETIME_S }).refresh("1//r");
    expect(tokens).toMatchObject({ expiresIn: MAX_TOKEN_LIFETIME_S, refreshExpiresIn: MAX_TOKEN_LIFETIME_S });
    const schedule = tokenSchedule(tokens, new Date());
    expect(Number.isFinite(schedule.refreshTokenExpiry!.getTime())).toBe(true);
  });

  it("no token, secret or code in an error message", async () => {
    const tokens = await connect();
    sb.control.queueFault("token", { kind: "oauth_error", error: "invalid_grant", description: tokens.refreshToken! });
    const error = (await oauth.refresh(tokens.refreshToken!).catch((e: unknown) => e)) as Error;
    for (const secret of [tokens.refreshToken!, tokens.accessToken, config.clientSecret]) expect(JSON.stringify({ m: error.message, ...error })).not.toContain(secret);
  });

  it("granular consent: an unticked scope is missing from the grant, named in words; Grant permission adds it (include_granted_scopes)", async () => {
    const { verifier, callback, consentHtml } = await authorize({ ticked: [YOUTUBE_READONLY] });
    expect(consentHtml).toContain('name="select_all"');
    const parsed = parseCallbackUrl(callback, { scopeParam: "scope" });
    if (!parsed.ok || !parsed.code) throw new Error("no code");
    const tokens = await oauth.exchangeCode(parsed.code, verifier);
    const missing = missingScopes(tokens.scopes, config.scopes);
    expect(missing).toEqual([YOUTUBE_UPLOAD]);
    expect(missing.map(scopeInWords)).toEqual(["upload videos to your channel"]);

    const again = await authorize({}, missing);
    const second = parseCallbackUrl(again.callback, { scopeParam: "scope" });
    if (!second.ok || !second.code) throw new Error("no code");
    const granted = await oauth.exchangeCode(second.code, again.verifier);
    expect(missingScopes(granted.scopes, config.scopes)).toEqual([]);
  });

  it("sign-in scopes configured by their short names (email, profile): Google's token answer names them by URL, and none of them counts as missing", async () => {
    const withSignIn = loadYouTubeConfig({ ...sandboxEnv(), YOUTUBE_SCOPES: "youtube.readonly openid email profile" }, APP_URL)!;
    const client = new YouTubeOAuth(withSignIn);
    const verifier = createCodeVerifier();
    const url = new URL(client.authorizationUrl({ state: "st-1", codeChallenge: codeChallengeS256(verifier, "base64url") }));
    const step = await consent(sb.url, url.searchParams);
    const parsed = parseCallbackUrl(step.location!, { scopeParam: "scope" });
    if (!parsed.ok || !parsed.code) throw new Error("no code");
    const tokens = await client.exchangeCode(parsed.code, verifier);
    expect(tokens.scopes).toEqual(expect.arrayContaining(["openid", "https://www.googleapis.com/auth/userinfo.email", "https://www.googleapis.com/auth/userinfo.profile"]));
    expect(missingScopes(tokens.scopes, withSignIn.scopes)).toEqual([]);
  });

  it("a Brand Account chosen in the chooser: the account is the Brand channel, not the manager's personal one", async () => {
    const api = new YouTubeApiClient({ apiBaseUrl: sb.url, ledger: new YouTubeQuotaLedger() });
    const brand = await channelProfile(api, (await connect({ account: ADA_BRAND })).accessToken);
    const personal = await channelProfile(api, (await connect({ account: ADA })).accessToken);
    const brandChannel = sb.control.users().find((u) => u.id === ADA_BRAND)!.channel!;
    expect(brand).toMatchObject({ providerUserId: brandChannel.id, displayName: "Ada's Workshop", handle: "@adasworkshop", subscriberCount: undefined });
    expect(personal).toMatchObject({ displayName: "Ada Makes Things" });
    expect("noChannel" in personal || personal.providerUserId).not.toBe(brandChannel.id);
  });
});
