import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { createManualClock } from "@/lib/clock";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { oauthStates } from "@/lib/db/schema";
import { newBinding } from "@/lib/connections/browser-binding";
import { OAuthFlowError } from "@/lib/connections/errors";
import { randomToken, sha256Hex } from "@/lib/connections/pkce";
import { insertState, STATE_TTL_MS } from "@/lib/connections/state-store";
import { MAX_DISPLAY_NAME } from "@/lib/connections/profile-sanitize";
import { APP_URL, REDIRECT_URI, decideAtSandbox, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { connectTikTok, followCallback, startConnect } from "../helpers/connect-flow";
import { installProviderFetchTap, jsonResponse } from "../helpers/fetch-tap";
import {
  accountRow,
  accountRowsOf,
  bindingOf,
  clearAccounts,
  counterMark,
  directOAuthService,
  postDisconnect,
  postRefresh,
  stateOf,
  stateRowsOf,
  storedTokens,
  trapDatabase,
} from "../helpers/security-kit";

const ACCOUNTS_URL = `${APP_URL}/settings/accounts`;

type SignedUp = Awaited<ReturnType<AppHarness["signUp"]>>;

describe("callback: GET /api/oauth/tiktok/callback", { timeout: 60_000 }, () => {
  let h: AppHarness;
  /** Signing up hashes a password (slow on purpose): two users serve the whole file. */
  let alice: SignedUp;
  let bob: SignedUp;
  beforeAll(async () => {
    h = await startAppHarness();
    alice = await h.signUp("alice");
    bob = await h.signUp("bob");
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });
  afterEach(async () => {
    h.sandbox.control.clearFaults();
    h.install();
    await clearAccounts(h.db);
  });

  /** A signed-in browser that has started a flow: its TikTok URL and the state in it. */
  async function started(user: SignedUp = alice) {
    const browser = new TestBrowser(user.cookie);
    const authorizeUrl = await startConnect(browser);
    return { user, browser, authorizeUrl, state: stateOf(authorizeUrl) };
  }

  const callback = (browser: TestBrowser, query: string) => followCallback(browser, `${REDIRECT_URI}?${query}`);
  const errorOf = (result: { location?: URL }) => result.location?.searchParams.get("error");

  describe("state and parameters", () => {
    it("S4: a missing state → error redirect (missing_params), no token call", async () => {
      const { user, browser } = await started();
      const mark = counterMark(h);
      for (const query of ["code=abc*0!1234.va&scopes=user.info.basic", "code=abc", "", "state=&code=abc"]) {
        const result = await callback(browser, query);
        expect(result.status, query).toBe(303);
        expect(errorOf(result), query).toBe("missing_params");
      }
      expect(mark.token()).toBe(0);
      expect(await stateRowsOf(h.db, user.id)).toHaveLength(1);
    });

    it("S5: an unknown or forged state → invalid_state, no token call", async () => {
      const { user, browser } = await started();
      const [row] = await stateRowsOf(h.db, user.id);
      const mark = counterMark(h);
      // A random one, a near-miss, and the stored hash itself (a database dump is no use).
      for (const forged of [randomToken(32), `${randomToken(31)}A`, row!.stateHash]) {
        const result = await callback(browser, `code=abc*0!1234.va&state=${encodeURIComponent(forged)}`);
        expect(errorOf(result)).toBe("invalid_state");
      }
      expect(mark.token()).toBe(0);
      expect(await accountRowsOf(h.db, user.id)).toHaveLength(0);
      expect(await stateRowsOf(h.db, user.id)).toHaveLength(1);
    });

    it("S6: a replayed callback exchanges the code once", async () => {
      const { user, browser, authorizeUrl } = await started();
      const back = await decideAtSandbox(authorizeUrl);
      const mark = counterMark(h);
      const first = await followCallback(browser, back);
      expect(first.location?.searchParams.get("success")).toBe("tiktok");
      const replay = await followCallback(browser, back);
      expect(errorOf(replay)).toBe("invalid_state");
      expect(mark.codeExchanges()).toBe(1);
      // The code never reached TikTok twice (a replayed code would revoke the grant there).
      const accountId = first.location!.searchParams.get("account")!;
      expect(h.sandbox.control.accessTokenState((await storedTokens(h.db, accountId)).accessToken)).toBe("valid");
      expect(await accountRowsOf(h.db, user.id)).toHaveLength(1);
    });

    it("S6: two concurrent callbacks with the same state → exactly one token exchange, one success", async () => {
      const { user, browser, authorizeUrl } = await started();
      const back = await decideAtSandbox(authorizeUrl);
      const mark = counterMark(h);
      const results = await Promise.all([followCallback(browser, back), followCallback(browser, back), followCallback(browser, back)]);
      const outcomes = results.map((r) => r.location?.searchParams.get("success") ?? errorOf(r)).sort();
      expect(outcomes).toEqual(["invalid_state", "invalid_state", "tiktok"]);
      expect(mark.codeExchanges()).toBe(1);
      expect(await accountRowsOf(h.db, user.id)).toHaveLength(1);
    });

    it("S7: a state created by user A arriving in user B's session → rejected, nothing linked to B", async () => {
      const a = await started(alice);
      const back = await decideAtSandbox(a.authorizeUrl);
      const mark = counterMark(h);
      // B's session, with and without A's binding cookie (so only the user differs).
      const bWithABinding = new TestBrowser(`${bob.cookie}; sf_oauth_binding=${bindingOf(a.browser)}`);
      const bOwnBrowser = new TestBrowser(bob.cookie);
      await startConnect(bOwnBrowser);
      for (const browser of [bWithABinding, bOwnBrowser]) {
        expect(errorOf(await followCallback(browser, back))).toBe("invalid_state");
      }
      expect(mark.token()).toBe(0);
      expect(await accountRowsOf(h.db, bob.id)).toHaveLength(0);
      // B could not burn A's flow: A still completes, and the account is A's.
      const done = await followCallback(a.browser, back);
      expect(done.location?.searchParams.get("success")).toBe("tiktok");
      const row = await accountRow(h.db, done.location!.searchParams.get("account")!);
      expect(row?.userId).toBe(a.user.id);
      expect(await accountRowsOf(h.db, bob.id)).toHaveLength(0);
    });

    it("S8: a state not bound to this browser (binding cookie missing, different or malformed) → rejected", async () => {
      const { user, browser, authorizeUrl } = await started();
      const back = await decideAtSandbox(authorizeUrl);
      const mark = counterMark(h);
      const noBinding = new TestBrowser(user.cookie);
      const otherBrowser = new TestBrowser(user.cookie);
      await startConnect(otherBrowser); // same user, its own binding
      expect(bindingOf(otherBrowser)).not.toBe(bindingOf(browser));
      const malformed = new TestBrowser(`${user.cookie}; sf_oauth_binding=short`);
      for (const other of [noBinding, otherBrowser, malformed]) {
        expect(errorOf(await followCallback(other, back))).toBe("invalid_state");
      }
      expect(mark.token()).toBe(0);
      expect(await accountRowsOf(h.db, user.id)).toHaveLength(0);
      expect((await followCallback(browser, back)).location?.searchParams.get("success")).toBe("tiktok");
    });

    it("S9: a callback at 9 min 59 s succeeds; at 10 min 1 s → invalid_state (injectable clock)", async () => {
      const user = alice;
      const clock = createManualClock(new Date());
      const oauth = directOAuthService(h, { clock });
      const binding = newBinding();
      const session = { userId: user.id, browserBinding: binding };
      expect(STATE_TTL_MS).toBe(10 * 60 * 1000);

      const inTime = await decideAtSandbox(await oauth.initiateOAuth(user.id, binding));
      clock.advance(9 * 60_000 + 59_000);
      const saved = await oauth.handleCallback(inTime, session);
      expect((await accountRow(h.db, saved.id))?.userId).toBe(user.id);

      const late = await decideAtSandbox(await oauth.initiateOAuth(user.id, binding), { openId: "sbx-ben-0002" });
      clock.advance(10 * 60_000 + 1_000);
      const mark = counterMark(h);
      const error = await oauth.handleCallback(late, session).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OAuthFlowError);
      expect((error as OAuthFlowError).code).toBe("invalid_state");
      expect(mark.token()).toBe(0);
      expect((await accountRowsOf(h.db, user.id)).map((r) => r.platformUserId)).toEqual(["sbx-ava-0001"]);
    });

    it("S10: repeated parameters (two states, two codes, two errors) → rejected, no token call", async () => {
      const { user, browser, authorizeUrl, state } = await started();
      const back = new URL(await decideAtSandbox(authorizeUrl));
      const code = back.searchParams.get("code")!;
      const mark = counterMark(h);
      const s = encodeURIComponent(state);
      const c = encodeURIComponent(code);
      for (const query of [
        `code=${c}&state=${s}&state=${randomToken(32)}`,
        `code=${c}&state=${randomToken(32)}&state=${s}`,
        `code=${c}&code=forged&state=${s}`,
        `code=${c}&state=${s}&error=access_denied&error=x`,
        `code=${c}&state=${s}&scopes=user.info.basic&scopes=video.upload`,
      ]) {
        expect(errorOf(await callback(browser, query)), query).toBe("invalid_request");
      }
      expect(mark.token()).toBe(0);
      expect(await accountRowsOf(h.db, user.id)).toHaveLength(0);
      expect(await stateRowsOf(h.db, user.id)).toHaveLength(1);
    });

    it("S11: an oversized state / code / URL → 400 before any database lookup", async () => {
      const { browser, state } = await started();
      const s = encodeURIComponent(state);
      const trap = trapDatabase(h);
      try {
        for (const query of [
          `code=abc&state=${"a".repeat(129)}`,
          `code=${"c".repeat(1025)}&state=${s}`,
          `code=abc&state=${s}&pad=${"x".repeat(4100)}`,
          `error=access_denied&error_description=${"d".repeat(1025)}&state=${s}`,
          `error=${"e".repeat(65)}&state=${s}`,
          `code=abc&state=${s}&scopes=${"s".repeat(1025)}`,
        ]) {
          const result = await callback(browser, query);
          expect(result.status, query.slice(0, 40)).toBe(400);
          expect(result.location).toBeUndefined();
          expect(await result.response.text()).toBe("Bad request");
          expect(result.response.headers.get("referrer-policy")).toBe("no-referrer");
          expect(result.response.headers.get("cache-control")).toBe("no-store, no-transform");
        }
        expect(trap.uses()).toBe(0);
        // The trap is live: an ordinary-sized callback does reach the database.
        expect(errorOf(await callback(browser, `code=abc&state=${randomToken(32)}`))).toBe("invalid_state");
        expect(trap.uses()).toBeGreaterThan(0);
      } finally {
        trap.release();
      }
    });

    it("S12: a state issued for another provider arriving at the TikTok callback → rejected", async () => {
      const { user, browser } = await started();
      const foreignState = randomToken(32);
      const id = randomUUID();
      await insertState(h.db, {
        id,
        state: foreignState,
        provider: "YOUTUBE",
        userId: user.id,
        encryptedVerifier: getTokenCipher().encrypt("v".repeat(64), { table: "oauth_states", rowId: id, field: "code_verifier" }),
        browserBinding: bindingOf(browser)!,
        returnTo: "/settings/accounts",
        now: new Date(),
      });
      const mark = counterMark(h);
      const result = await callback(browser, `code=abc*0!1234.va&state=${foreignState}`);
      expect(errorOf(result)).toBe("invalid_state");
      expect(mark.token()).toBe(0);
      // Not consumed by the wrong provider either.
      const [foreign] = await h.db.select().from(oauthStates).where(eq(oauthStates.stateHash, sha256Hex(foreignState)));
      expect(foreign?.provider).toBe("YOUTUBE");
      expect(await accountRowsOf(h.db, user.id)).toHaveLength(0);
    });

    it("S13: a sandbox code with reserved characters (* and !) reaches the token endpoint decoded exactly once", async () => {
      const { browser, authorizeUrl } = await started();
      const back = await decideAtSandbox(authorizeUrl);
      const code = new URL(back).searchParams.get("code")!;
      expect(code).toMatch(/\*0!\d{4}\.va$/);
      expect(back).toContain("%21"); // `!` arrives percent-encoded
      const tap = installProviderFetchTap();
      try {
        const done = await followCallback(browser, back);
        expect(done.location?.searchParams.get("success")).toBe("tiktok");
      } finally {
        tap.restore();
      }
      expect(tap.sentFormValues("code")).toEqual([code]);
    });

    it("S13: a code containing a literal %2A is decoded exactly once (not twice, not zero times)", async () => {
      const { user, browser, state } = await started();
      const literal = "lit%2Astar*bang!.va"; // the code TikTok issued, with a literal "%2A" in it
      const onTheWire = encodeURIComponent(literal); // lit%252Astar*bang!.va
      const issued = h.sandbox.control.issueTokensDirectly({ openId: "sbx-cleo-0003", scopes: ["user.info.basic"] });
      const tap = installProviderFetchTap({
        intercept: (exchange) => (exchange.url.pathname === "/v2/oauth/token/" ? jsonResponse(issued) : undefined),
      });
      let done;
      try {
        done = await callback(browser, `code=${onTheWire}&scopes=user.info.basic&state=${encodeURIComponent(state)}`);
      } finally {
        tap.restore();
      }
      expect(tap.sentFormValues("code")).toEqual([literal]);
      // On the wire the form body percent-encodes it once more; decoding the form once gives it back.
      expect(tap.tokenExchanges()[0]!.requestBody).toContain("code=lit%252Astar*bang%21.va");
      expect(done.location?.searchParams.get("success")).toBe("tiktok");
      expect((await accountRowsOf(h.db, user.id))[0]?.platformUserId).toBe("sbx-cleo-0003");
    });
  });

  describe("provider errors", () => {
    it("S14: error=access_denied with a valid state → state consumed, 'cancelled', no token call, no row, description not reflected", async () => {
      const { user, browser, authorizeUrl } = await started();
      const back = await decideAtSandbox(authorizeUrl, { decision: "cancel" });
      expect(new URL(back).searchParams.get("error_description")).toBeTruthy();
      const mark = counterMark(h);
      const result = await followCallback(browser, back);
      expect(result.location?.toString()).toBe(`${ACCOUNTS_URL}?error=access_denied&provider=tiktok`);
      expect(mark.token()).toBe(0);
      expect(await accountRowsOf(h.db, user.id)).toHaveLength(0);
      expect(await stateRowsOf(h.db, user.id)).toHaveLength(0);
      // Consumed: the same state cannot be used again, even with a code.
      const state = new URL(back).searchParams.get("state")!;
      expect(errorOf(await callback(browser, `code=abc&state=${encodeURIComponent(state)}`))).toBe("invalid_state");
      expect(mark.token()).toBe(0);
    });

    it("S14: any other provider error maps to a fixed code; error and error_description are never reflected", async () => {
      for (const error of ["server_error", "invalid_scope", "<script>alert(1)</script>", "unauthorized_client"]) {
        const { user, browser, state } = await started();
        const mark = counterMark(h);
        const description = "<img src=x onerror=alert(document.cookie)> call +1-555-SCAM";
        const result = await callback(
          browser,
          `error=${encodeURIComponent(error)}&error_description=${encodeURIComponent(description)}&state=${encodeURIComponent(state)}`,
        );
        expect(result.location?.toString()).toBe(`${ACCOUNTS_URL}?error=provider_error&provider=tiktok`);
        const body = await result.response.text();
        for (const reflected of [description, "onerror", "SCAM", "script"]) {
          expect(result.location!.toString()).not.toContain(reflected);
          expect(body).not.toContain(reflected);
        }
        expect(mark.token()).toBe(0);
        expect(await stateRowsOf(h.db, user.id)).toHaveLength(0);
      }
    });

    it("S15: a valid state with neither code nor error → rejected, state consumed", async () => {
      const { user, browser, state } = await started();
      const mark = counterMark(h);
      const result = await callback(browser, `state=${encodeURIComponent(state)}&scopes=user.info.basic`);
      expect(result.location?.toString()).toBe(`${ACCOUNTS_URL}?error=missing_params&provider=tiktok`);
      expect(await stateRowsOf(h.db, user.id)).toHaveLength(0);
      expect(errorOf(await callback(browser, `code=abc*0!1234.va&state=${encodeURIComponent(state)}`))).toBe("invalid_state");
      expect(mark.token()).toBe(0);
      expect(await accountRowsOf(h.db, user.id)).toHaveLength(0);
    });

    it("S15: empty code and error values count as absent → missing_params, state consumed", async () => {
      const { user, browser, state } = await started();
      const mark = counterMark(h);
      const result = await callback(browser, `code=&error=&state=${encodeURIComponent(state)}`);
      expect(result.location?.toString()).toBe(`${ACCOUNTS_URL}?error=missing_params&provider=tiktok`);
      expect(await stateRowsOf(h.db, user.id)).toHaveLength(0);
      expect(mark.token()).toBe(0);
    });

    it("S16: invalid_grant (forged or expired code) → token_exchange_failed; the code is never retried", async () => {
      // A forged code with a valid state.
      const forged = await started();
      let mark = counterMark(h);
      let result = await callback(forged.browser, `code=${encodeURIComponent("forged*0!1234.va")}&state=${encodeURIComponent(forged.state)}`);
      expect(errorOf(result)).toBe("token_exchange_failed");
      expect(mark.codeExchanges()).toBe(1);
      expect(await accountRowsOf(h.db, forged.user.id)).toHaveLength(0);

      // A real code that expired at TikTok before the callback.
      const expired = await started();
      const back = await decideAtSandbox(expired.authorizeUrl);
      h.sandbox.control.advanceTime(11 * 60 * 1000);
      mark = counterMark(h);
      result = await followCallback(expired.browser, back);
      expect(errorOf(result)).toBe("token_exchange_failed");
      expect(mark.codeExchanges()).toBe(1);
      // Replaying does not get a second exchange either.
      expect(errorOf(await followCallback(expired.browser, back))).toBe("invalid_state");
      expect(mark.codeExchanges()).toBe(1);

      // invalid_grant answered with HTTP 200 (TikTok does that too).
      const ok200 = await started();
      const back200 = await decideAtSandbox(ok200.authorizeUrl);
      h.sandbox.control.queueFault("token", { kind: "oauth_error", error: "invalid_grant", status: 200 });
      mark = counterMark(h);
      expect(errorOf(await followCallback(ok200.browser, back200))).toBe("token_exchange_failed");
      expect(mark.codeExchanges()).toBe(1);
      expect(await accountRowsOf(h.db, ok200.user.id)).toHaveLength(0);
    });

    it("S16: a wrong code_verifier → token_exchange_failed after exactly one token call", async () => {
      const { user, browser, authorizeUrl } = await started();
      const back = await decideAtSandbox(authorizeUrl);
      // Replace the stored verifier with another, validly encrypted one.
      const [row] = await stateRowsOf(h.db, user.id);
      const wrong = randomToken(64);
      await h.db
        .update(oauthStates)
        .set({ codeVerifier: getTokenCipher().encrypt(wrong, { table: "oauth_states", rowId: row!.id, field: "code_verifier" }) })
        .where(eq(oauthStates.id, row!.id));
      const tap = installProviderFetchTap();
      const mark = counterMark(h);
      try {
        expect(errorOf(await followCallback(browser, back))).toBe("token_exchange_failed");
      } finally {
        tap.restore();
      }
      expect(tap.sentFormValues("code_verifier")).toEqual([wrong]);
      expect(JSON.parse(tap.tokenExchanges()[0]!.responseText!)).toMatchObject({ error: "invalid_request" });
      expect(mark.codeExchanges()).toBe(1);
      expect(await accountRowsOf(h.db, user.id)).toHaveLength(0);
    });
  });

  describe("return targets and response headers", () => {
    const EVIL = [
      "return_to=https%3A%2F%2Fevil.com",
      "next=%2F%2Fevil.com",
      "redirect=%2F%5Cevil.com",
      "returnTo=javascript%3Aalert(1)",
      "redirect_uri=%252F%252Fevil.com",
      "callbackUrl=https://evil.com",
      "continue=//evil.com",
    ].join("&");

    it("S39: the callback ignores any return target; success lands on the fixed accounts page", async () => {
      const { browser, authorizeUrl } = await started();
      const back = await decideAtSandbox(authorizeUrl);
      const result = await followCallback(browser, `${back}&${EVIL}`);
      const account = result.location?.searchParams.get("account");
      expect(account).toBeTruthy();
      expect(result.location?.toString()).toBe(`${ACCOUNTS_URL}?success=tiktok&account=${account}`);
    });

    it("S39: an error callback with return targets also lands on the fixed accounts page", async () => {
      const { browser } = await started();
      for (const query of [`code=abc&state=${randomToken(32)}&${EVIL}`, `${EVIL}`, `code=a&code=b&state=x&${EVIL}`]) {
        const result = await callback(browser, query);
        expect(result.location?.origin).toBe(APP_URL);
        expect(result.location?.pathname).toBe("/settings/accounts");
        expect([...result.location!.searchParams.keys()]).toEqual(["error", "provider"]);
      }
    });

    it("S40: the callback redirects (303) to a URL without code or state, with no-referrer and no-store", async () => {
      const { browser, authorizeUrl, state } = await started();
      const back = await decideAtSandbox(authorizeUrl);
      const code = new URL(back).searchParams.get("code")!;
      const success = await followCallback(browser, back);
      const failure = await callback(browser, `code=abc&state=${encodeURIComponent(state)}`);
      for (const result of [success, failure]) {
        expect(result.status).toBe(303);
        expect(result.response.headers.get("referrer-policy")).toBe("no-referrer");
        expect(result.response.headers.get("cache-control")).toBe("no-store, no-transform");
        const location = result.response.headers.get("location")!;
        for (const secret of [code, encodeURIComponent(code), state]) expect(location).not.toContain(secret);
        expect(result.location!.searchParams.has("code")).toBe(false);
        expect(result.location!.searchParams.has("state")).toBe(false);
      }
      expect([...success.location!.searchParams.keys()]).toEqual(["success", "account"]);
    });

    it("S40: POST refresh and disconnect refuse cross-site requests (403) and unauthenticated ones (401)", async () => {
      const user = alice;
      const browser = new TestBrowser(user.cookie);
      const accountId = await connectTikTok(browser);
      const mark = counterMark(h);
      for (const post of [postRefresh, postDisconnect]) {
        for (const origin of ["https://evil.example", "http://localhost:3999.evil.example", "null", null]) {
          const result = await post(browser, accountId, origin);
          expect(result.status, `${post.name} ${origin}`).toBe(403);
          expect(result.body).toMatchObject({ code: "cross_site_request" });
        }
        const anonymous = await post(new TestBrowser(), accountId);
        expect(anonymous.status).toBe(401);
        expect(anonymous.body).toMatchObject({ code: "unauthenticated" });
      }
      expect(mark.token()).toBe(0);
      expect(mark.revoke()).toBe(0);
      expect(await accountRow(h.db, accountId)).toBeDefined();
      // The same requests from the app itself work.
      expect((await postRefresh(browser, accountId)).status).toBe(200);
      expect((await postDisconnect(browser, accountId)).status).toBe(200);
    });
  });

  describe("profile rendering data", () => {
    /** Connects through the real route while TikTok's user info answers `user` fields of our choosing. */
    async function connectWithProfile(fields: Record<string, string>) {
      const { user, browser, authorizeUrl } = await started();
      const back = await decideAtSandbox(authorizeUrl);
      const tap = installProviderFetchTap({
        intercept: async (exchange, forward) => {
          if (exchange.url.pathname !== "/v2/user/info/") return undefined;
          const real = (await (await forward()).json()) as { data: { user: Record<string, string> }; error: unknown };
          return jsonResponse({ ...real, data: { user: { ...real.data.user, ...fields } } });
        },
      });
      try {
        const done = await followCallback(browser, back);
        expect(done.location?.searchParams.get("success")).toBe("tiktok");
        return (await accountRowsOf(h.db, user.id))[0]!;
      } finally {
        tap.restore();
      }
    }

    it("S38: a hostile display_name from TikTok is stored as inert text; controls and RTL overrides removed, clamped", async () => {
      const html = '"><img src=x onerror=alert(1)>';
      expect((await connectWithProfile({ display_name: html })).displayName).toBe(html); // escaping is React's job
      await clearAccounts(h.db);

      const rtl = await connectWithProfile({ display_name: "\u202Egnp.exe\u2066x\u2069\u200B\u0000\u0007name" });
      expect(rtl.displayName).toBe("gnp.exexname");
      await clearAccounts(h.db);

      const long = await connectWithProfile({ display_name: "𝓐".repeat(10_000) });
      expect(Array.from(long.displayName)).toHaveLength(MAX_DISPLAY_NAME);
      await clearAccounts(h.db);

      const empty = await connectWithProfile({ display_name: "\u202E\u200B" });
      expect(empty.displayName).toBe("TikTok user");
    });

    it("S38: avatar URLs must be https (javascript:, data:, http: elsewhere and credentials are dropped)", async () => {
      for (const bad of ["javascript:alert(1)", "data:image/svg+xml,<svg onload=alert(1)>", "http://evil.example/a.png", "https://user:pw@cdn.example/a.png"]) {
        expect((await connectWithProfile({ avatar_url: bad })).avatarUrl, bad).toBeNull();
        await clearAccounts(h.db);
      }
      expect((await connectWithProfile({ avatar_url: "https://cdn.example/a.png" })).avatarUrl).toBe("https://cdn.example/a.png");
    });
  });
});
