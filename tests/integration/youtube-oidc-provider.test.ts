/**
 * YouTubeOAuth against a server nobody here wrote: panva's certified OpenID Connect server,
 * oidc-provider (https://github.com/panva/node-oidc-provider), configured Google-like (Google's
 * paths, client_secret_post, PKCE S256, expires_in 3599, no refresh-token rotation, RFC 7009
 * revocation). SocialFlow is pointed at it by its configuration contract only
 * (GOOGLE_AUTH_URL / GOOGLE_TOKEN_URL / GOOGLE_REVOKE_URL). The YouTube Data API half is not
 * played here (see youtube-data.test.ts).
 *
 * Where oidc-provider cannot behave like Google, this file configures it and says so:
 * - refresh tokens: oidc-provider issues one only for the `offline_access` scope; Google issues
 *   one for `access_type=offline` with the consent screen shown. `issueRefreshToken` below issues
 *   one for every code grant of this client instead, so SocialFlow's scopes stay Google's.
 *   (`openid` is not needed: oidc-provider accepts plain OAuth 2.0 authorization requests.)
 * - prompts: oidc-provider's policy knows `login` and `consent` and refuses other requested
 *   values; Google's `select_account` is added as a requestable prompt of the policy.
 * - `access_type` and `include_granted_scopes` are not oidc-provider parameters; it ignores them.
 * - revocation: RFC 7009 wants the confidential client authenticated; Google does not, and
 *   YouTubeOAuth sends the client credentials either way. An unknown token is 200 here (RFC 7009
 *   §2.2), not Google's 400 invalid_token.
 * - the "user" is a stand-in interaction endpoint that picks account `ada` and allows every
 *   requested scope, as a browser click-through would.
 */
import { generateKeyPairSync } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Provider, { interactionPolicy } from "oidc-provider";
import { codeChallengeS256, createCodeVerifier } from "@/lib/connections/pkce";
import { parseCallbackUrl } from "@/lib/connections/callback-params";
import { loadYouTubeConfig, YOUTUBE_READONLY, YOUTUBE_UPLOAD, type YouTubeConfig } from "@/lib/providers/youtube/config";
import { tokenFailure, YouTubeOAuth } from "@/lib/providers/youtube/oauth";

const APP_URL = "http://localhost:3000";
const CLIENT_ID = "socialflow-test.apps.example";
const CLIENT_SECRET = "not-a-real-secret-but-long-enough";

let server: http.Server;
let issuer: string;
let config: YouTubeConfig;

function googleLikeProvider(url: string): Provider {
  const { Prompt, base } = interactionPolicy;
  const policy = base();
  // Google's `prompt=select_account` (the account and Brand Account chooser).
  policy.add(new Prompt({ name: "select_account", requestable: true }), 0);
  return new Provider(url, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${APP_URL}/api/oauth/youtube/callback`],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    scopes: [YOUTUBE_READONLY, YOUTUBE_UPLOAD],
    routes: { authorization: "/o/oauth2/v2/auth", token: "/token", revocation: "/revoke" },
    features: { devInteractions: { enabled: false }, revocation: { enabled: true } },
    pkce: { required: () => true, methods: ["S256"] },
    ttl: { AccessToken: 3599, AuthorizationCode: 600, RefreshToken: 183 * 86_400, Grant: 183 * 86_400, Interaction: 600, Session: 600 },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: false,
    interactions: { policy, url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    cookies: { keys: ["test-cookie-key-0123456789abcdef"] },
    jwks: { keys: [generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" })] },
  });
}

beforeAll(async () => {
  // The issuer URL needs the port, so the server listens before the provider exists.
  const holder: { provider?: Provider } = {};
  server = http.createServer((req, res) => {
    const provider = holder.provider;
    if (!provider) return res.end();
    if (req.url?.startsWith("/interaction/")) {
      // The user picks "ada" and allows everything asked for.
      void (async () => {
        const details = await provider.interactionDetails(req, res);
        const grant = new provider.Grant({ accountId: "ada", clientId: CLIENT_ID });
        grant.addOIDCScope(String(details.params.scope));
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { select_account: {}, login: { accountId: "ada" }, consent: { grantId } }, { mergeWithLastSubmission: false });
      })().catch(() => {
        res.statusCode = 500;
        res.end();
      });
      return;
    }
    provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  holder.provider = googleLikeProvider(issuer);
  config = loadYouTubeConfig(
    {
      GOOGLE_CLIENT_ID: CLIENT_ID,
      GOOGLE_CLIENT_SECRET: CLIENT_SECRET,
      GOOGLE_AUTH_URL: `${issuer}/o/oauth2/v2/auth`,
      GOOGLE_TOKEN_URL: `${issuer}/token`,
      GOOGLE_REVOKE_URL: `${issuer}/revoke`,
    },
    APP_URL,
  )!;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A browser: follows redirects on the issuer's origin, keeping its cookies, until it leaves for the redirect_uri. */
async function browse(start: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = start;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, { redirect: "manual", headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    const location = res.headers.get("location");
    if (!location) throw new Error(`stopped at ${res.status}`);
    url = new URL(location, url).toString();
    if (!url.startsWith(issuer)) return url;
  }
  throw new Error("too many redirects");
}

async function connect(oauth: YouTubeOAuth) {
  const verifier = createCodeVerifier();
  const callback = await browse(oauth.authorizationUrl({ state: "st-oidc", codeChallenge: codeChallengeS256(verifier, "base64url") }));
  const parsed = parseCallbackUrl(callback, { scopeParam: "scope" });
  if (!parsed.ok || !parsed.code) throw new Error("no code in the callback");
  return { callback, parsed, tokens: await oauth.exchangeCode(parsed.code, verifier) };
}

describe("YouTubeOAuth against oidc-provider (Google-like configuration)", () => {
  it("authorize (prompt=consent select_account, access_type, include_granted_scopes, PKCE S256) → callback → token", async () => {
    const { callback, parsed, tokens } = await connect(new YouTubeOAuth(config));
    expect(new URL(callback).origin + new URL(callback).pathname).toBe(`${APP_URL}/api/oauth/youtube/callback`);
    // oidc-provider adds `iss` (RFC 9207), as Google does for some users: tolerated.
    expect(new URL(callback).searchParams.get("iss")).toBe(issuer);
    expect(parsed).toMatchObject({ ok: true, state: "st-oidc" });
    expect(tokens).toMatchObject({ expiresIn: 3599, providerUserId: undefined, refreshToken: expect.any(String) });
    expect(tokens.scopes).toEqual(expect.arrayContaining([YOUTUBE_READONLY, YOUTUBE_UPLOAD]));
  });

  it("a wrong PKCE verifier is invalid_grant", async () => {
    const oauth = new YouTubeOAuth(config);
    const callback = await browse(oauth.authorizationUrl({ state: "s2", codeChallenge: codeChallengeS256(createCodeVerifier(), "base64url") }));
    const parsed = parseCallbackUrl(callback, { scopeParam: "scope" });
    if (!parsed.ok || !parsed.code) throw new Error("no code");
    expect(tokenFailure(await oauth.exchangeCode(parsed.code, createCodeVerifier()).catch((e: unknown) => e))).toBe("invalid_grant");
  });

  it("refresh without rotation: no new refresh token, the first one keeps working", async () => {
    const oauth = new YouTubeOAuth(config);
    const { tokens } = await connect(oauth);
    const refreshed = await oauth.refresh(tokens.refreshToken!);
    // Without rotation oidc-provider repeats the same refresh token (RFC 6749 §6 allows either);
    // Google leaves it out (youtube-oauth.test.ts). Both mean "keep the one you have".
    expect([undefined, tokens.refreshToken]).toContain(refreshed.refreshToken);
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect((await oauth.refresh(tokens.refreshToken!)).accessToken).toBeTruthy();
  });

  it("revoke (client authenticated in the body) ends the refresh token; revoking again resolves; refresh → invalid_grant", async () => {
    const oauth = new YouTubeOAuth(config);
    const { tokens } = await connect(oauth);
    await oauth.revoke(tokens.refreshToken!);
    await expect(oauth.revoke(tokens.refreshToken!)).resolves.toBeUndefined();
    expect(tokenFailure(await oauth.refresh(tokens.refreshToken!).catch((e: unknown) => e))).toBe("invalid_grant");
  });

  it("a wrong client secret is invalid_client: neither the end of access nor transient", async () => {
    const oauth = new YouTubeOAuth(config);
    const { tokens } = await connect(oauth);
    const wrong = new YouTubeOAuth({ ...config, clientSecret: "wrong-secret-wrong-secret-wrong" });
    const error = await wrong.refresh(tokens.refreshToken!).catch((e: unknown) => e);
    expect(error).toMatchObject({ error: "invalid_client", status: 401 });
    expect(tokenFailure(error)).toBe("other");
  });
});
