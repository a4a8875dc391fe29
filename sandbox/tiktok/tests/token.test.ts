/**
 * https://developers.tiktok.com/doc/oauth-user-access-token-management (token endpoint) and §3 (revoke).
 */
import { describe, expect, it } from "vitest";
import { sandboxForFile } from "../../kit/test-helpers";
import { PKCE_ERROR_DESCRIPTION } from "../oauth";
import {
  AVA,
  BEN,
  CLIENT_KEY,
  CLIENT_SECRET,
  RFC_CHALLENGE,
  RFC_CHALLENGE_HEX,
  REDIRECT_URI,
  api,
  authorizeParams,
  connect,
  errorCode,
  exchange,
  getCode,
  refresh,
  revoke,
  start,
  tokenRequest,
  type Tokens,
} from "./helpers";

// A frozen base clock: lifetimes are asserted to the second, time moves only via advanceTime.
const sb = sandboxForFile(() => start({ now: () => 1_780_000_000_000 }));

const DAY = 86_400_000;

function expectOAuthError(r: { status: number; json: Record<string, unknown> }, error: string, status = 400) {
  expect(r.status).toBe(status);
  expect(r.json.error).toBe(error);
  expect(typeof r.json.error_description).toBe("string");
  expect(typeof r.json.log_id).toBe("string");
  expect(r.json.access_token).toBeUndefined();
}

describe("§2 code exchange", () => {
  it("§2 success is a FLAT object with act./rft. tokens and the granted scope", async () => {
    const { code } = await getCode(sb.url);
    const r = await exchange(sb.url, code);
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^application\/json/);
    expect(Object.keys(r.json).sort()).toEqual(["access_token", "expires_in", "open_id", "refresh_expires_in", "refresh_token", "scope", "token_type"]);
    expect(r.json).toMatchObject({ expires_in: 86_400, refresh_expires_in: 31_536_000, open_id: AVA, scope: "user.info.basic,video.list", token_type: "Bearer" });
    expect(r.json.access_token).toMatch(/^act\./);
    expect(r.json.refresh_token).toMatch(/^rft\./);
    expect(r.json.data).toBeUndefined();
  });

  it("§2 lifetimes are configurable (2 h / 180 d)", async () => {
    sb.control.setOptions({ accessTokenTtlSec: 7_200, refreshTokenTtlSec: 15_552_000 });
    const t = await connect(sb.url);
    expect(t.expires_in).toBe(7_200);
    expect(t.refresh_expires_in).toBe(15_552_000);
  });

  it("§1/§2 pkce base64url mode: the RFC challenge verifies; a wrong verifier → invalid_request 'Code verifier or code challenge is invalid.'", async () => {
    const ok = await exchange(sb.url, (await getCode(sb.url)).code);
    expect(ok.json.access_token).toEqual(expect.any(String));
    const bad = await exchange(sb.url, (await getCode(sb.url)).code, { code_verifier: "A".repeat(43) });
    expectOAuthError(bad, "invalid_request");
    expect(bad.json.error_description).toBe(PKCE_ERROR_DESCRIPTION);
    const missing = await exchange(sb.url, (await getCode(sb.url)).code, { code_verifier: "" });
    expectOAuthError(missing, "invalid_request");
  });

  it("§1/§2 pkce hex mode: the hex challenge verifies; a base64url challenge fails only at the token step", async () => {
    sb.control.setOptions({ pkceMode: "hex" });
    const ok = await exchange(sb.url, (await getCode(sb.url, authorizeParams({ code_challenge: RFC_CHALLENGE_HEX }))).code);
    expect(ok.json.access_token).toEqual(expect.any(String));
    // The consent page accepts the base64url challenge (TikTok cannot tell), the exchange does not.
    const wrongEncoding = await exchange(sb.url, (await getCode(sb.url, authorizeParams({ code_challenge: RFC_CHALLENGE }))).code);
    expectOAuthError(wrongEncoding, "invalid_request");
    expect(wrongEncoding.json.error_description).toBe(PKCE_ERROR_DESCRIPTION);
  });

  it("§2 code reuse → invalid_grant, and the tokens issued with that code are revoked", async () => {
    const { code } = await getCode(sb.url);
    const first = await exchange(sb.url, code);
    const tokens = first.json as unknown as Tokens;
    expect(sb.control.accessTokenState(tokens.access_token)).toBe("valid");
    const second = await exchange(sb.url, code);
    expectOAuthError(second, "invalid_grant");
    expect(sb.control.accessTokenState(tokens.access_token)).toBe("revoked");
    expect(sb.control.tokenState(tokens.refresh_token)).toBe("revoked");
  });

  it("§2 two concurrent exchanges of one code: exactly one succeeds", async () => {
    const { code } = await getCode(sb.url);
    const results = await Promise.all([exchange(sb.url, code), exchange(sb.url, code)]);
    expect(results.filter((r) => typeof r.json.access_token === "string")).toHaveLength(1);
    expect(results.filter((r) => r.json.error === "invalid_grant")).toHaveLength(1);
  });

  it("§2 wrong redirect_uri → invalid_grant, and the code is burnt", async () => {
    const { code } = await getCode(sb.url);
    expectOAuthError(await exchange(sb.url, code, { redirect_uri: "http://localhost:3000/other" }), "invalid_grant");
    expectOAuthError(await exchange(sb.url, code), "invalid_grant");
  });

  it("§2 wrong client_secret, unknown client_key, or client_id instead of client_key → invalid_client", async () => {
    const { code } = await getCode(sb.url);
    expectOAuthError(await exchange(sb.url, code, { client_secret: "wrong" }), "invalid_client");
    expectOAuthError(await exchange(sb.url, code, { client_key: "unknown" }), "invalid_client");
    const r = await tokenRequest(sb.url, { client_id: CLIENT_KEY, client_secret: CLIENT_SECRET, code, grant_type: "authorization_code" });
    expectOAuthError(r, "invalid_client");
    // Client authentication failed before the code was looked at: it still works.
    expect((await exchange(sb.url, code)).json.access_token).toEqual(expect.any(String));
  });

  it("§2 unknown or expired code → invalid_grant (codeTtlSec)", async () => {
    expectOAuthError(await exchange(sb.url, "not-a-code*0!1234.va"), "invalid_grant");
    sb.control.setOptions({ codeTtlSec: 60 });
    const early = await getCode(sb.url);
    sb.control.advanceTime(59_000);
    expect((await exchange(sb.url, early.code)).json.access_token).toEqual(expect.any(String));
    const late = await getCode(sb.url);
    sb.control.advanceTime(60_001);
    expectOAuthError(await exchange(sb.url, late.code), "invalid_grant");
  });

  it("§2 only application/x-www-form-urlencoded: JSON → invalid_request", async () => {
    const { code } = await getCode(sb.url);
    const res = await fetch(`${sb.url}/v2/oauth/token/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_key: CLIENT_KEY, client_secret: CLIENT_SECRET, code, grant_type: "authorization_code" }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_request");
  });

  it("§2 unknown grant_type → unsupported_grant_type; repeated parameter → invalid_request", async () => {
    expectOAuthError(await tokenRequest(sb.url, { client_key: CLIENT_KEY, client_secret: CLIENT_SECRET, grant_type: "password" }), "unsupported_grant_type");
    const body = `client_key=${CLIENT_KEY}&client_secret=${CLIENT_SECRET}&grant_type=refresh_token&refresh_token=a&refresh_token=b`;
    const res = await fetch(`${sb.url}/v2/oauth/token/`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
    expect(((await res.json()) as { error: string }).error).toBe("invalid_request");
  });

  it("§2 oauthErrorStatus=200: errors come back flat with HTTP 200", async () => {
    sb.control.setOptions({ oauthErrorStatus: 200 });
    const r = await exchange(sb.url, "bogus");
    expectOAuthError(r, "invalid_grant", 200);
  });
});

describe("§2 refresh", () => {
  it("§2 refresh rotation: new access and refresh tokens; the old refresh token → invalid_grant; the new one works", async () => {
    const t0 = await connect(sb.url);
    const r1 = await refresh(sb.url, t0.refresh_token);
    expect(r1.status).toBe(200);
    const t1 = r1.json as unknown as Tokens;
    expect(t1.access_token).not.toBe(t0.access_token);
    expect(t1.refresh_token).not.toBe(t0.refresh_token);
    expect(t1.scope).toBe(t0.scope);
    expect(t1.open_id).toBe(t0.open_id);
    expect(sb.control.tokenState(t0.refresh_token)).toBe("rotated");
    expectOAuthError(await refresh(sb.url, t0.refresh_token), "invalid_grant");
    const r2 = await refresh(sb.url, t1.refresh_token);
    expect(r2.json.access_token).toEqual(expect.any(String));
  });

  it("§2 refresh: the old access token keeps working until its own expiry", async () => {
    const t0 = await connect(sb.url);
    await refresh(sb.url, t0.refresh_token);
    expect(sb.control.accessTokenState(t0.access_token)).toBe("valid");
    expect((await api(sb.url, "/v2/user/info/?fields=open_id", { token: t0.access_token })).status).toBe(200);
    sb.control.advanceTime(86_400_000);
    expect(sb.control.accessTokenState(t0.access_token)).toBe("expired");
  });

  it("§2 refresh_expires_in is the remaining life of the family (not reset on rotation)", async () => {
    const t0 = await connect(sb.url);
    sb.control.advanceTime(DAY);
    const t1 = (await refresh(sb.url, t0.refresh_token)).json as unknown as Tokens;
    expect(t1.refresh_expires_in).toBe(31_536_000 - 86_400);
    expect(t1.expires_in).toBe(86_400);
  });

  it("§2 refreshRotationResetsExpiry=true: every rotation starts a full refresh lifetime", async () => {
    sb.control.setOptions({ refreshRotationResetsExpiry: true });
    const t0 = await connect(sb.url);
    sb.control.advanceTime(DAY);
    const t1 = (await refresh(sb.url, t0.refresh_token)).json as unknown as Tokens;
    expect(t1.refresh_expires_in).toBe(31_536_000);
  });

  it("§2 refresh expiry (advanceTime): an expired refresh token → invalid_grant", async () => {
    sb.control.setOptions({ refreshTokenTtlSec: 7 * 86_400 });
    const t0 = await connect(sb.url);
    sb.control.advanceTime(7 * DAY - 1_000);
    expect(sb.control.tokenState(t0.refresh_token)).toBe("valid");
    sb.control.advanceTime(1_000);
    expect(sb.control.tokenState(t0.refresh_token)).toBe("expired");
    expectOAuthError(await refresh(sb.url, t0.refresh_token), "invalid_grant");
  });

  it("§2 an expired access token → access_token_invalid; refresh still works", async () => {
    const t0 = await connect(sb.url);
    sb.control.advanceTime(DAY);
    const r = await api(sb.url, "/v2/user/info/?fields=open_id", { token: t0.access_token });
    expect(r.status).toBe(401);
    expect(errorCode(r)).toBe("access_token_invalid");
    const t1 = (await refresh(sb.url, t0.refresh_token)).json as unknown as Tokens;
    expect((await api(sb.url, "/v2/user/info/?fields=open_id", { token: t1.access_token })).status).toBe(200);
  });

  it("§2 two concurrent refreshes with the same token: one wins, one gets invalid_grant", async () => {
    const t0 = await connect(sb.url);
    const results = await Promise.all([refresh(sb.url, t0.refresh_token), refresh(sb.url, t0.refresh_token)]);
    expect(results.filter((r) => typeof r.json.access_token === "string")).toHaveLength(1);
    expect(results.filter((r) => r.json.error === "invalid_grant")).toHaveLength(1);
    expect(sb.control.counters().tokenByGrant.refresh_token).toBe(2);
    // The winner's tokens stay valid (no family revocation by default).
    const winner = results.find((r) => typeof r.json.refresh_token === "string")?.json as unknown as Tokens;
    expect(sb.control.tokenState(winner.refresh_token)).toBe("valid");
  });

  it("§2 revokeFamilyOnRefreshReuse=true: replaying a rotated refresh token revokes the family", async () => {
    sb.control.setOptions({ revokeFamilyOnRefreshReuse: true });
    const t0 = await connect(sb.url);
    const t1 = (await refresh(sb.url, t0.refresh_token)).json as unknown as Tokens;
    expectOAuthError(await refresh(sb.url, t0.refresh_token), "invalid_grant");
    expect(sb.control.tokenState(t1.refresh_token)).toBe("revoked");
  });

  it("§2 a refresh token is bound to its client", async () => {
    sb.control.setOptions({
      clients: [
        { clientKey: CLIENT_KEY, clientSecret: CLIENT_SECRET, appName: "A", redirectUris: ["http://localhost:3000/api/oauth/tiktok/callback"], audited: true },
        { clientKey: "other", clientSecret: "other_secret", appName: "B", redirectUris: [], audited: true },
      ],
    });
    const t0 = await connect(sb.url);
    expectOAuthError(await refresh(sb.url, t0.refresh_token, { client_key: "other", client_secret: "other_secret" }), "invalid_grant");
    expect(sb.control.tokenState(t0.refresh_token)).toBe("valid");
  });
});

describe("§3 revoke", () => {
  it("§3 revoke kills both tokens: {} then access_token_invalid and invalid_grant", async () => {
    const t = await connect(sb.url);
    const r = await revoke(sb.url, t.access_token);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({});
    expect(sb.control.accessTokenState(t.access_token)).toBe("revoked");
    expect(sb.control.tokenState(t.refresh_token)).toBe("revoked");
    expect(errorCode(await api(sb.url, "/v2/user/info/?fields=open_id", { token: t.access_token }))).toBe("access_token_invalid");
    expectOAuthError(await refresh(sb.url, t.refresh_token), "invalid_grant");
  });

  it("§3 revoking with a pre-rotation access token kills the newest refresh token too", async () => {
    const t0 = await connect(sb.url);
    const t1 = (await refresh(sb.url, t0.refresh_token)).json as unknown as Tokens;
    await revoke(sb.url, t0.access_token);
    expect(sb.control.tokenState(t1.refresh_token)).toBe("revoked");
    expect(sb.control.accessTokenState(t1.access_token)).toBe("revoked");
  });

  it("§3 revoke disconnects the app from the user: every grant of this client for that user dies, other users' and other apps' grants live", async () => {
    sb.control.setOptions({
      clients: [
        { clientKey: "sandbox_client_key", clientSecret: "sandbox_client_secret", appName: "SocialFlow", redirectUris: [REDIRECT_URI], audited: true },
        { clientKey: "other_app", clientSecret: "other_secret", appName: "Other", redirectUris: [REDIRECT_URI], audited: true },
      ],
    });
    const first = sb.control.issueTokensDirectly({ openId: AVA, scopes: "user.info.basic" });
    const second = sb.control.issueTokensDirectly({ openId: AVA, scopes: "user.info.basic" });
    const otherUser = sb.control.issueTokensDirectly({ openId: BEN, scopes: "user.info.basic" });
    const otherApp = sb.control.issueTokensDirectly({ openId: AVA, scopes: "user.info.basic", clientKey: "other_app" });
    await revoke(sb.url, first.access_token);
    expect([first, second].map((t) => [sb.control.accessTokenState(t.access_token), sb.control.tokenState(t.refresh_token)])).toEqual([
      ["revoked", "revoked"],
      ["revoked", "revoked"],
    ]);
    expect(sb.control.tokenState(otherUser.refresh_token)).toBe("valid");
    expect(sb.control.tokenState(otherApp.refresh_token)).toBe("valid");
    // A new authorization after the revoke works again.
    const again = sb.control.issueTokensDirectly({ openId: AVA, scopes: "user.info.basic" });
    expect(sb.control.tokenState(again.refresh_token)).toBe("valid");
  });

  it("§3 revoke is idempotent ({} for unknown tokens); needs the client's credentials; a refresh token is not an access token", async () => {
    const t = await connect(sb.url);
    expect((await revoke(sb.url, "act.unknown")).json).toEqual({});
    expectOAuthError(await revoke(sb.url, t.access_token, { client_secret: "wrong" }), "invalid_client");
    expect((await revoke(sb.url, t.refresh_token)).json).toEqual({});
    expect(sb.control.tokenState(t.refresh_token)).toBe("valid");
    await revoke(sb.url, t.access_token);
    expect((await revoke(sb.url, t.access_token)).json).toEqual({});
  });

  it("§3 revokeGrant(openId): TikTok-side revocation kills that user's tokens for every client, not others'", async () => {
    sb.control.setOptions({
      clients: [
        { clientKey: CLIENT_KEY, clientSecret: CLIENT_SECRET, appName: "A", redirectUris: ["http://localhost:3000/api/oauth/tiktok/callback"], audited: true },
        { clientKey: "other", clientSecret: "other_secret", appName: "B", redirectUris: [], audited: true },
      ],
    });
    const a1 = await connect(sb.url);
    const a2 = sb.control.issueTokensDirectly({ openId: AVA, scopes: ["user.info.basic"], clientKey: "other" });
    const b = await connect(sb.url, "user.info.basic", { openId: BEN });
    expect(sb.control.revokeGrant(AVA)).toBe(2);
    for (const t of [a1, a2]) {
      expect(sb.control.accessTokenState(t.access_token)).toBe("revoked");
      expect(sb.control.tokenState(t.refresh_token)).toBe("revoked");
    }
    expect(sb.control.tokenState(b.refresh_token)).toBe("valid");
    expectOAuthError(await refresh(sb.url, a1.refresh_token), "invalid_grant");
  });

  it("§3 revoke: another client's token → unauthorized_client, token unharmed", async () => {
    sb.control.setOptions({
      clients: [
        { clientKey: CLIENT_KEY, clientSecret: CLIENT_SECRET, appName: "A", redirectUris: ["http://localhost:3000/api/oauth/tiktok/callback"], audited: true },
        { clientKey: "other", clientSecret: "other_secret", appName: "B", redirectUris: [], audited: true },
      ],
    });
    const t = sb.control.issueTokensDirectly({ openId: AVA, scopes: "user.info.basic", clientKey: "other" });
    expectOAuthError(await revoke(sb.url, t.access_token), "unauthorized_client");
    expect(sb.control.accessTokenState(t.access_token)).toBe("valid");
  });
});

describe("issueTokensDirectly", () => {
  it("issues working tokens for seeded and synthetic users without the browser", async () => {
    const t = sb.control.issueTokensDirectly({ openId: "load-user-000042", scopes: ["user.info.basic", "video.list"] });
    expect(t).toMatchObject({ open_id: "load-user-000042", scope: "user.info.basic,video.list", expires_in: 86_400, refresh_expires_in: 31_536_000 });
    const r = await api(sb.url, "/v2/user/info/?fields=open_id,display_name", { token: t.access_token });
    expect(r.status).toBe(200);
    expect((r.json.data as { user: { open_id: string } }).user.open_id).toBe("load-user-000042");
    expect((await refresh(sb.url, t.refresh_token)).status).toBe(200);
    expect(() => sb.control.issueTokensDirectly({ openId: AVA, scopes: ["video.delete"] })).toThrow();
    expect(() => sb.control.issueTokensDirectly({ openId: AVA, scopes: ["user.info.basic"], clientKey: "nope" })).toThrow();
  });
});
