/**
 * POST /token (code exchange, refresh, Google's error table, refresh-token lifetime rules) and
 * POST /revoke.
 */
import { createPublicKey, verify, type JsonWebKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sandboxForFile } from "../../kit/test-helpers";
import {
  ADA,
  BEN,
  CLIENT_ID,
  CLIENT_SECRET,
  READONLY,
  REDIRECT_URI,
  RFC_VERIFIER,
  UPLOAD,
  USERINFO_EMAIL,
  authorizeParams,
  connect,
  consent,
  decodeJwt,
  exchange,
  form,
  getCode,
  reason,
  refresh,
  revoke,
  start,
  yt,
  type HttpResult,
  type Tokens,
} from "./helpers";

// A frozen base clock: time moves only with advanceTime.
const sb = sandboxForFile(() => start({ now: () => Date.UTC(2026, 8, 10, 12, 0, 0) }));

const DAY = 86_400_000;

function expectError(r: HttpResult, status: number, error: string, description?: string) {
  expect(r.status).toBe(status);
  expect(r.json.error).toBe(error);
  if (description !== undefined) expect(r.json.error_description).toBe(description);
  expect(r.json).not.toHaveProperty("access_token");
}

describe("code exchange", () => {
  it("success: access_token ya29…, expires_in 3599, refresh_token 1//…, scope space-separated, token_type Bearer, Google's no-cache headers", async () => {
    const r = await exchange(sb.url, (await getCode(sb.url)).code);
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)).toEqual(["access_token", "expires_in", "refresh_token", "scope", "token_type"]);
    expect(r.json).toMatchObject({ expires_in: 3599, scope: `${READONLY} ${UPLOAD}`, token_type: "Bearer" });
    expect(r.json.access_token).toMatch(/^ya29\.a0/);
    expect(r.json.refresh_token).toMatch(/^1\/\/0/);
    expect(r.contentType).toBe("application/json; charset=utf-8");
    expect(r.headers.get("cache-control")).toBe("no-cache, no-store, max-age=0, must-revalidate");
    expect(r.headers.get("pragma")).toBe("no-cache");
  });

  it("id_token only when openid was granted: RS256, iss accounts.google.com, aud = client, sub, email; verifies against /oauth2/v3/certs", async () => {
    const t = await connect(sb.url, { scope: `openid email ${READONLY}`, nonce: "n-1" });
    expect(t.scope).toBe(`${READONLY} openid ${USERINFO_EMAIL}`);
    const jwt = t.id_token ?? "";
    const { header, claims } = decodeJwt(jwt);
    expect(header).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(claims).toMatchObject({ iss: "https://accounts.google.com", aud: CLIENT_ID, azp: CLIENT_ID, email: "ada.sandbox@example.com", email_verified: true, nonce: "n-1" });
    expect(claims.sub).toMatch(/^\d{21}$/);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    const certs = (await (await fetch(`${sb.url}/oauth2/v3/certs`)).json()) as { keys: (JsonWebKey & { kid: string })[] };
    const jwk = certs.keys.find((k) => k.kid === header.kid);
    expect(jwk).toBeDefined();
    const [h, c, s] = jwt.split(".");
    const ok = verify("sha256", Buffer.from(`${h}.${c}`), createPublicKey({ key: jwk as JsonWebKey, format: "jwk" }), Buffer.from(s ?? "", "base64url"));
    expect(ok).toBe(true);
    // (Ada's next connect would include openid through include_granted_scopes=true.)
    const without = await connect(sb.url, {}, { account: BEN });
    expect(without).not.toHaveProperty("id_token");
  });

  it("client_secret_basic works like client_secret_post", async () => {
    const { code } = await getCode(sb.url);
    const basic = Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString("base64");
    const r = await form(sb.url, "/token", { code, grant_type: "authorization_code", redirect_uri: REDIRECT_URI, code_verifier: RFC_VERIFIER }, { authorization: `Basic ${basic}` });
    expect(r.json.access_token).toEqual(expect.any(String));
  });

  it("client errors: no client → 400 invalid_request; unknown → 401 invalid_client; PKCE without secret → 400 'client_secret is missing.'; wrong secret → 401 'Unauthorized'", async () => {
    const { code } = await getCode(sb.url);
    expectError(await exchange(sb.url, code, { client_id: undefined }), 400, "invalid_request", "Could not determine client ID from request.");
    expectError(await exchange(sb.url, code, { client_id: "nope.apps.googleusercontent.com" }), 401, "invalid_client", "The OAuth client was not found.");
    expectError(await exchange(sb.url, code, { client_secret: undefined }), 400, "invalid_request", "client_secret is missing.");
    expectError(await exchange(sb.url, code, { client_secret: "wrong" }), 401, "invalid_client", "Unauthorized");
    // None of these touched the code.
    expect((await exchange(sb.url, code)).status).toBe(200);
  });

  it("a JSON body leaves the client unidentified", async () => {
    const res = await fetch(`${sb.url}/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_id: CLIENT_ID }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_request");
  });

  it("grant_type missing → invalid_request; unknown → unsupported_grant_type", async () => {
    expectError(await form(sb.url, "/token", { client_id: CLIENT_ID, client_secret: CLIENT_SECRET }), 400, "invalid_request", "Missing required parameter: grant_type");
    expectError(await form(sb.url, "/token", { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: "password" }), 400, "unsupported_grant_type");
  });

  it("code errors: missing → invalid_request; still percent-encoded → 'Malformed auth code.'; reused → invalid_grant 'Bad Request'", async () => {
    expectError(await exchange(sb.url, ""), 400, "invalid_request", "Missing required parameter: code");
    const { code } = await getCode(sb.url);
    expectError(await exchange(sb.url, encodeURIComponent(code)), 400, "invalid_grant", "Malformed auth code.");
    expect((await exchange(sb.url, code)).status).toBe(200);
    expectError(await exchange(sb.url, code), 400, "invalid_grant", "Bad Request");
  });

  it("an unknown well-formed code, or an expired one, → invalid_grant 'Bad Request'", async () => {
    expectError(await exchange(sb.url, "4/0AunknownUnknownUnknown"), 400, "invalid_grant", "Bad Request");
    const { code } = await getCode(sb.url);
    sb.control.advanceTime(601_000);
    expectError(await exchange(sb.url, code), 400, "invalid_grant", "Bad Request");
  });

  it("redirect_uri missing → invalid_request; different → redirect_uri_mismatch 'Bad Request' (and the code is spent)", async () => {
    const a = (await getCode(sb.url)).code;
    expectError(await exchange(sb.url, a, { redirect_uri: undefined }), 400, "invalid_request");
    const b = (await getCode(sb.url)).code;
    expectError(await exchange(sb.url, b, { redirect_uri: `${REDIRECT_URI}/` }), 400, "redirect_uri_mismatch", "Bad Request");
    expectError(await exchange(sb.url, b), 400, "invalid_grant", "Bad Request");
  });

  it("PKCE S256: no verifier → 'Missing code verifier.'; a wrong one → invalid_grant", async () => {
    expectError(await exchange(sb.url, (await getCode(sb.url)).code, { code_verifier: undefined }), 400, "invalid_grant", "Missing code verifier.");
    expectError(await exchange(sb.url, (await getCode(sb.url)).code, { code_verifier: "A".repeat(43) }), 400, "invalid_grant");
  });

  it("PKCE plain (and no method = plain) is accepted", async () => {
    const v = "p".repeat(50);
    for (const method of ["plain", undefined]) {
      const { code } = await getCode(sb.url, authorizeParams({ code_challenge: v, code_challenge_method: method }));
      expect((await exchange(sb.url, code, { code_verifier: v })).status).toBe(200);
    }
  });

  it("two concurrent exchanges of one code: exactly one succeeds", async () => {
    const { code } = await getCode(sb.url);
    const results = await Promise.all([exchange(sb.url, code), exchange(sb.url, code)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
  });

  it("a code is bound to its client", async () => {
    const client = sb.control.options().clients[0];
    if (!client) throw new Error("no client");
    sb.control.setOptions({ clients: [client, { ...client, clientId: "other.apps.googleusercontent.com", clientSecret: "other-secret", projectId: "other" }] });
    const { code } = await getCode(sb.url);
    expectError(await exchange(sb.url, code, { client_id: "other.apps.googleusercontent.com", client_secret: "other-secret" }), 400, "invalid_grant");
  });
});

describe("refresh", () => {
  it("answers without refresh_token (no rotation); the same refresh token keeps working; expires_in 3599", async () => {
    const t = await connect(sb.url);
    const refreshToken = t.refresh_token ?? "";
    for (let i = 0; i < 3; i++) {
      const r = await refresh(sb.url, refreshToken);
      expect(r.status).toBe(200);
      expect(Object.keys(r.json)).toEqual(["access_token", "expires_in", "scope", "token_type"]);
      expect(r.json).toMatchObject({ expires_in: 3599, scope: `${READONLY} ${UPLOAD}`, token_type: "Bearer" });
      expect(r.json.access_token).not.toBe(t.access_token);
    }
    expect(sb.control.tokenState(refreshToken)).toBe("valid");
    // The first access token is still good until its own expiry.
    expect((await yt(sb.url, "channels?part=id&mine=true", t.access_token)).status).toBe(200);
  });

  it("an id_token comes with the refresh answer when openid was granted", async () => {
    const t = await connect(sb.url, { scope: `openid ${READONLY}` });
    const r = await refresh(sb.url, t.refresh_token ?? "");
    expect(decodeJwt(String(r.json.id_token)).claims.aud).toBe(CLIENT_ID);
  });

  it("errors: missing → invalid_request; unknown → invalid_grant 'Bad Request'; another client's → 401 unauthorized_client", async () => {
    expectError(await form(sb.url, "/token", { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: "refresh_token" }), 400, "invalid_request");
    expectError(await refresh(sb.url, "1//0garbage"), 400, "invalid_grant", "Bad Request");
    const client = sb.control.options().clients[0];
    if (!client) throw new Error("no client");
    sb.control.setOptions({ clients: [client, { ...client, clientId: "other.apps.googleusercontent.com", clientSecret: "other-secret" }] });
    const t = await connect(sb.url);
    expectError(await refresh(sb.url, t.refresh_token ?? "", { client_id: "other.apps.googleusercontent.com", client_secret: "other-secret" }), 401, "unauthorized_client", "Unauthorized");
  });

  it("after a revocation: 'Token has been expired or revoked.', and 12 hours later 'Bad Request' (both invalid_grant)", async () => {
    const t = await connect(sb.url);
    expect((await revoke(sb.url, t.refresh_token ?? "")).status).toBe(200);
    expectError(await refresh(sb.url, t.refresh_token ?? ""), 400, "invalid_grant", "Token has been expired or revoked.");
    sb.control.advanceTime(12 * 3_600_000);
    expectError(await refresh(sb.url, t.refresh_token ?? ""), 400, "invalid_grant", "Bad Request");
  });

  it("Testing publishing status: the grant ends 7 days after consent (invalid_grant), unless only sign-in scopes were granted", async () => {
    const client = sb.control.options().clients[0];
    if (!client) throw new Error("no client");
    sb.control.setOptions({ clients: [{ ...client, publishingStatus: "testing" }] });
    const yt7 = await connect(sb.url);
    const signIn = await connect(sb.url, { scope: "openid email" }, { account: BEN });
    sb.control.advanceTime(7 * DAY - 60_000);
    expect((await refresh(sb.url, yt7.refresh_token ?? "")).status).toBe(200);
    sb.control.advanceTime(60_000);
    expectError(await refresh(sb.url, yt7.refresh_token ?? ""), 400, "invalid_grant", "Token has been expired or revoked.");
    expect(sb.control.tokenState(yt7.refresh_token ?? "")).toBe("expired");
    expect((await refresh(sb.url, signIn.refresh_token ?? "")).status).toBe(200);
  });

  it("time-based access (timeLimitedAccessSec): refresh_token_expires_in on the exchange and on each refresh (the seconds left), then the grant ends (invalid_grant)", async () => {
    sb.control.setOptions({ timeLimitedAccessSec: 86_400 });
    const limited = await connect(sb.url);
    expect(limited.refresh_token_expires_in).toBe(86_400);
    sb.control.advanceTime(3_600_000);
    const refreshed = await refresh(sb.url, limited.refresh_token ?? "");
    expect(refreshed.status).toBe(200);
    expect(refreshed.json).toMatchObject({ refresh_token_expires_in: 82_800 });
    expect(refreshed.json).not.toHaveProperty("refresh_token");
    sb.control.advanceTime(82_800_000);
    expectError(await refresh(sb.url, limited.refresh_token ?? ""), 400, "invalid_grant", "Token has been expired or revoked.");
    sb.control.setOptions({ timeLimitedAccessSec: 0 });
    expect(await connect(sb.url, {}, { account: BEN })).not.toHaveProperty("refresh_token_expires_in");
  });

  it("production apps have no 7-day expiry; six months unused ends a refresh token, use keeps it alive", async () => {
    const a = await connect(sb.url);
    const b = await connect(sb.url, {}, { account: BEN });
    sb.control.advanceTime(100 * DAY);
    expect((await refresh(sb.url, b.refresh_token ?? "")).status).toBe(200);
    sb.control.advanceTime(100 * DAY);
    expectError(await refresh(sb.url, a.refresh_token ?? ""), 400, "invalid_grant", "Token has been expired or revoked.");
    expect((await refresh(sb.url, b.refresh_token ?? "")).status).toBe(200);
  });

  it("100 live refresh tokens per account per client: the 101st silently invalidates the oldest", async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 100; i++) tokens.push(sb.control.issueTokensDirectly({ accountId: ADA, scopes: READONLY }).refresh_token ?? "");
    expect(tokens.every((t) => sb.control.tokenState(t) === "valid")).toBe(true);
    // The 101st arrives through a real reconnect with prompt=consent.
    const newest = await connect(sb.url, { scope: READONLY });
    expect(sb.control.tokenState(tokens[0] ?? "")).toBe("evicted");
    expectError(await refresh(sb.url, tokens[0] ?? ""), 400, "invalid_grant", "Token has been expired or revoked.");
    expect(sb.control.tokenState(tokens[1] ?? "")).toBe("valid");
    expect((await refresh(sb.url, newest.refresh_token ?? "")).status).toBe(200);
    // Another account's tokens do not count.
    expect(sb.control.issueTokensDirectly({ accountId: BEN, scopes: READONLY }).refresh_token).toEqual(expect.any(String));
    expect(sb.control.tokenState(tokens[1] ?? "")).toBe("valid");
  });

  it("refreshTokenCap is an option", async () => {
    sb.control.setOptions({ refreshTokenCap: 2 });
    const [a, b, c] = [0, 1, 2].map(() => sb.control.issueTokensDirectly({ accountId: ADA, scopes: READONLY }).refresh_token ?? "");
    expect([a, b, c].map((t) => sb.control.tokenState(t ?? ""))).toEqual(["evicted", "valid", "valid"]);
  });
});

describe("revoke", () => {
  it("revoking the refresh token: 200 with an empty body, then the whole grant is gone (refresh → invalid_grant, API → 401 authError)", async () => {
    const t = await connect(sb.url);
    const r = await revoke(sb.url, t.refresh_token ?? "");
    expect([r.status, r.text]).toEqual([200, ""]);
    expectError(await refresh(sb.url, t.refresh_token ?? ""), 400, "invalid_grant");
    expect(reason(await yt(sb.url, "channels?part=id&mine=true", t.access_token))).toBe("authError");
  });

  it("revoking the access token ends the refresh token too, and every other token of that account and client", async () => {
    const t1 = await connect(sb.url);
    const t2 = await connect(sb.url);
    const other = await connect(sb.url, {}, { account: BEN });
    expect((await revoke(sb.url, t2.access_token)).status).toBe(200);
    for (const t of [t1, t2]) {
      expect(sb.control.tokenState(t.refresh_token ?? "")).toBe("revoked");
      expect(sb.control.accessTokenState(t.access_token)).toBe("revoked");
    }
    expect(sb.control.tokenState(other.refresh_token ?? "")).toBe("valid");
  });

  it("unknown or already revoked → 400 {error: invalid_token, error_description: 'Token expired or revoked'}", async () => {
    const t = await connect(sb.url);
    await revoke(sb.url, t.access_token);
    for (const token of [t.access_token, t.refresh_token ?? "", "ya29.unknown"]) {
      const r = await revoke(sb.url, token);
      expect(r.status).toBe(400);
      expect(r.json).toEqual({ error: "invalid_token", error_description: "Token expired or revoked" });
    }
  });

  it("the token may come in the query string with an empty POST; no client authentication", async () => {
    const t = await connect(sb.url);
    const res = await fetch(`${sb.url}/revoke?${new URLSearchParams({ token: t.refresh_token ?? "" })}`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(sb.control.tokenState(t.refresh_token ?? "")).toBe("revoked");
    // The query string is never logged.
    expect(JSON.stringify(sb.control.requestLog())).not.toContain(t.refresh_token ?? "");
  });

  it("after a revocation the consent is forgotten: the next authorization shows the screen and returns a refresh token without prompt=consent", async () => {
    const t = await connect(sb.url);
    await revoke(sb.url, t.refresh_token ?? "");
    const r = await consent(sb.url, authorizeParams({ prompt: "select_account" }));
    expect(r.consentHtml).toBeDefined();
    const again = await exchange(sb.url, new URL(r.location ?? "").searchParams.get("code") ?? "");
    expect(again.json.refresh_token).toEqual(expect.any(String));
  });

  it("an expired access token cannot be revoked (invalid_token) but its refresh token can", async () => {
    const t: Tokens = await connect(sb.url);
    sb.control.advanceTime(3600_000);
    expect((await revoke(sb.url, t.access_token)).status).toBe(400);
    expect((await revoke(sb.url, t.refresh_token ?? "")).status).toBe(200);
  });

  it("revokeGrant(accountId): the user removes the app at myaccount.google.com", async () => {
    const t = await connect(sb.url);
    expect(sb.control.revokeGrant(ADA)).toBe(1);
    expect(sb.control.tokenState(t.refresh_token ?? "")).toBe("revoked");
    expect(sb.control.grantedScopes(ADA)).toEqual([]);
  });
});

describe("issueTokensDirectly", () => {
  it("issues working tokens for seeded and synthetic accounts without the browser; short scope names are read as URLs", async () => {
    const t = sb.control.issueTokensDirectly({ accountId: "load-0001", scopes: `openid email ${READONLY}` });
    expect(t.scope).toBe(`${READONLY} openid ${USERINFO_EMAIL}`);
    expect(t.refresh_token).toMatch(/^1\/\/0/);
    const r = await yt(sb.url, "channels?part=snippet&mine=true", t.access_token);
    expect((r.json.items as { snippet: { title: string } }[])[0]?.snippet.title).toMatch(/^Load Channel /);
    expect(sb.control.issueTokensDirectly({ accountId: ADA, scopes: [READONLY], offline: false })).not.toHaveProperty("refresh_token");
    expect(() => sb.control.issueTokensDirectly({ accountId: ADA, scopes: "drive" })).toThrow();
    expect(() => sb.control.issueTokensDirectly({ accountId: "bad id", scopes: READONLY })).toThrow();
  });
});
