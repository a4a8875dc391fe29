import { authorizeRoute } from "../helpers/oauth-routes";
import { DEFAULT_TIKTOK_SCOPES } from "@/lib/config/env-schema";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { oauthStates } from "@/lib/db/schema";
import { sha256Hex } from "@/lib/connections/pkce";
import { APP_URL, REDIRECT_URI, decideAtSandbox, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { followCallback, startConnect } from "../helpers/connect-flow";
import { accountRowsOf, bindingOf, clearAccounts, counterMark, stateOf, stateRowsOf, trapDatabase } from "../helpers/security-kit";

const AUTHORIZE = `${APP_URL}/api/oauth/tiktok/authorize`;

describe("authorize: POST /api/oauth/tiktok/authorize", { timeout: 60_000 }, () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness();
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });
  afterEach(async () => {
    h.install();
    await clearAccounts(h.db);
  });

  it("S1: without a signed-in session → 401 and no state row written", async () => {
    const before = await h.db.select().from(oauthStates);
    const anonymous = new TestBrowser();
    const response = await authorizeRoute(anonymous.request(AUTHORIZE, { method: "POST" }));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: "unauthenticated" });
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(await h.db.select().from(oauthStates)).toHaveLength(before.length);

    // A forged or expired session cookie is no session either.
    const forged = new TestBrowser("better-auth.session_token=forged.value");
    const forgedResponse = await authorizeRoute(forged.request(AUTHORIZE, { method: "POST" }));
    expect(forgedResponse.status).toBe(401);
    expect(await h.db.select().from(oauthStates)).toHaveLength(before.length);
  });

  it("S1: a cross-site Origin → 403 before anything (no session lookup, no database use, no state)", async () => {
    const user = await h.signUp();
    const browser = new TestBrowser(user.cookie);
    const trap = trapDatabase(h);
    try {
      const crossSite = await authorizeRoute(browser.request(AUTHORIZE, { method: "POST", origin: "https://evil.example" }));
      expect(crossSite.status).toBe(403);
      expect(await crossSite.json()).toMatchObject({ code: "cross_site_request" });
      const noOrigin = await authorizeRoute(browser.request(AUTHORIZE, { method: "POST", origin: null }));
      expect(noOrigin.status).toBe(403);
      expect(trap.uses()).toBe(0);
      // The trap does see database use: the same request from the app's origin goes through it.
      const sameSite = await authorizeRoute(browser.request(AUTHORIZE, { method: "POST" }));
      expect(sameSite.status).toBe(200);
      expect(trap.uses()).toBeGreaterThan(0);
    } finally {
      trap.release();
    }
    expect(await stateRowsOf(h.db, user.id)).toHaveLength(1);
  });

  it("S2: the authorize URL: S256, ≥ 32-byte state, exact redirect_uri, client_key, comma scopes, no secret", async () => {
    const user = await h.signUp();
    const browser = new TestBrowser(user.cookie);
    const authorizeUrl = await startConnect(browser);
    const url = new URL(authorizeUrl);
    const q = url.searchParams;

    expect(`${url.origin}${url.pathname}`).toBe(`${h.sandbox.url}/v2/auth/authorize/`);
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("response_type")).toBe("code");
    expect(q.get("redirect_uri")).toBe(REDIRECT_URI);
    expect(q.get("client_key")).toBe("sandbox_client_key");
    expect(q.has("client_id")).toBe(false);
    expect(q.get("scope")).toBe(DEFAULT_TIKTOK_SCOPES);
    expect([...q.keys()].sort()).toEqual(
      ["client_key", "code_challenge", "code_challenge_method", "redirect_uri", "response_type", "scope", "state"].sort(),
    );
    for (const key of [...q.keys()]) expect(q.getAll(key)).toHaveLength(1);

    const state = q.get("state")!;
    expect(state).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(state, "base64url").length).toBeGreaterThanOrEqual(32);

    // No secret anywhere in it, raw or encoded.
    expect(authorizeUrl).not.toContain(h.config.tiktok.clientSecret!);
    expect(decodeURIComponent(authorizeUrl)).not.toContain(h.config.tiktok.clientSecret!);
    expect(authorizeUrl).not.toMatch(/client_secret|code_verifier/);

    // The state row: stored hashed, bound to user and browser, with an encrypted verifier
    // whose S256 challenge is the one in the URL (RFC 7636 §4.2).
    const [row] = await stateRowsOf(h.db, user.id);
    expect(row).toBeDefined();
    expect(row!.stateHash).toBe(sha256Hex(state));
    expect(JSON.stringify(row)).not.toContain(state);
    expect(row!.browserBindingHash).toBe(sha256Hex(bindingOf(browser)!));
    expect(row!.provider).toBe("TIKTOK");
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(10 * 60 * 1000);
    const verifier = getTokenCipher().decrypt(row!.codeVerifier, { table: "oauth_states", rowId: row!.id, field: "code_verifier" });
    expect(row!.codeVerifier).not.toContain(verifier);
    expect(verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
    expect(q.get("code_challenge")).toBe(createHash("sha256").update(verifier).digest("base64url"));

    // Two flows never share a state.
    const second = await startConnect(browser);
    expect(stateOf(second)).not.toBe(state);
  });

  it("S3: two tabs start two flows → two independent state rows, and both complete", async () => {
    const user = await h.signUp();
    const browser = new TestBrowser(user.cookie);
    const mark = counterMark(h);
    const tab1 = await startConnect(browser);
    const tab2 = await startConnect(browser);
    const rows = await stateRowsOf(h.db, user.id);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.stateHash)).size).toBe(2);
    expect(rows.map((r) => r.stateHash).sort()).toEqual([sha256Hex(stateOf(tab1)), sha256Hex(stateOf(tab2))].sort());

    // The second tab finishes first; the first one still works afterwards.
    const back2 = await decideAtSandbox(tab2, { openId: "sbx-ben-0002" });
    const back1 = await decideAtSandbox(tab1, { openId: "sbx-ava-0001" });
    const done2 = await followCallback(browser, back2);
    expect(done2.location?.searchParams.get("success")).toBe("tiktok");
    expect(await stateRowsOf(h.db, user.id)).toHaveLength(1);
    const done1 = await followCallback(browser, back1);
    expect(done1.location?.searchParams.get("success")).toBe("tiktok");
    expect(done1.location?.searchParams.get("account")).not.toBe(done2.location?.searchParams.get("account"));

    expect(await stateRowsOf(h.db, user.id)).toHaveLength(0);
    const accounts = await accountRowsOf(h.db, user.id);
    expect(accounts.map((a) => a.platformUserId).sort()).toEqual(["sbx-ava-0001", "sbx-ben-0002"]);
    expect(mark.codeExchanges()).toBe(2);
  });
});
