import { disconnectRoute } from "../helpers/oauth-routes";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { accountEvents, socialAccounts } from "@/lib/db/schema";
import { eq } from "drizzle-orm";
import { APP_URL, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { connectTikTok } from "../helpers/connect-flow";
import { installProviderFetchTap, type TappedExchange } from "../helpers/fetch-tap";
import { accountRow, clearAccounts, counterMark, eventKinds, postDisconnect, storedTokens } from "../helpers/security-kit";

type SignedUp = Awaited<ReturnType<AppHarness["signUp"]>>;

describe("disconnect: POST /api/oauth/tiktok/disconnect", { timeout: 60_000 }, () => {
  let h: AppHarness;
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

  it("S37: disconnect revokes the access token at TikTok first, then deletes the row", async () => {
    const browser = new TestBrowser(alice.cookie);
    const accountId = await connectTikTok(browser);
    const tokens = await storedTokens(h.db, accountId);
    let rowAtRevoke: unknown = "not called";
    const tap = installProviderFetchTap({
      before: async (exchange) => {
        if (exchange.url.pathname === "/v2/oauth/revoke/") rowAtRevoke = await accountRow(h.db, accountId);
      },
    });
    const mark = counterMark(h);
    let result;
    try {
      result = await postDisconnect(browser, accountId);
    } finally {
      tap.restore();
    }
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ success: true, message: "TikTok account disconnected", revoked: true, alreadyDisconnected: false });
    expect(result.response.headers.get("cache-control")).toBe("no-store, no-transform");

    // Revoked first (the row still existed then), with the access token, then deleted.
    expect(mark.revoke()).toBe(1);
    expect(rowAtRevoke).toMatchObject({ id: accountId });
    const revokeForm = new URLSearchParams(tap.revokeExchanges()[0]!.requestBody);
    expect(revokeForm.get("token")).toBe(tokens.accessToken);
    expect(revokeForm.get("client_key")).toBe("sandbox_client_key");
    expect(await accountRow(h.db, accountId)).toBeUndefined();
    expect(h.sandbox.control.accessTokenState(tokens.accessToken)).toBe("revoked");
    expect(h.sandbox.control.tokenState(tokens.refreshToken!)).toBe("revoked");

    const events = await h.db.select().from(accountEvents).where(eq(accountEvents.accountId, accountId)).orderBy(accountEvents.id);
    expect(events.map((e) => [e.kind, e.detail])).toEqual([
      ["connected", null],
      ["disconnected", { revoked: true }],
    ]);
  });

  it.each([
    { label: "HTTP 500", fault: { kind: "status" as const, status: 500 } },
    { label: "an OAuth error with HTTP 200", fault: { kind: "oauth_error" as const, error: "invalid_request", status: 200 } },
    { label: "an HTML page", fault: { kind: "html" as const } },
  ])("S37: revoke failing ($label) → the row is still deleted and the failure recorded", async ({ fault }) => {
    const browser = new TestBrowser(alice.cookie);
    const accountId = await connectTikTok(browser);
    const tokens = await storedTokens(h.db, accountId);
    h.sandbox.control.queueFault("revoke", fault);
    const mark = counterMark(h);
    const result = await postDisconnect(browser, accountId);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ success: true, revoked: false, alreadyDisconnected: false });
    expect(mark.revoke()).toBe(1);
    expect(await accountRow(h.db, accountId)).toBeUndefined();
    expect(await eventKinds(h.db, accountId)).toEqual(["connected", "revoke_failed", "disconnected"]);
    // TikTok never confirmed: the grant is still alive there, which is exactly why it is recorded.
    expect(h.sandbox.control.accessTokenState(tokens.accessToken)).toBe("valid");
  });

  it("S37: a second disconnect of the same account is idempotent (200, alreadyDisconnected, no second revoke)", async () => {
    const browser = new TestBrowser(alice.cookie);
    const accountId = await connectTikTok(browser);
    expect((await postDisconnect(browser, accountId)).status).toBe(200);
    const mark = counterMark(h);
    const again = await postDisconnect(browser, accountId);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ success: true, revoked: false, alreadyDisconnected: true });
    expect(mark.revoke()).toBe(0);
    expect(await eventKinds(h.db, accountId)).toEqual(["connected", "disconnected"]);
  });

  it("S68: concurrent disconnects of one account revoke once and record one 'disconnected'; the others are answered 'already disconnected'", async () => {
    const browser = new TestBrowser(alice.cookie);
    const accountId = await connectTikTok(browser);
    const mark = counterMark(h);
    const results = await Promise.all(Array.from({ length: 4 }, () => postDisconnect(browser, accountId)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(results.filter((r) => r.body.alreadyDisconnected === false).map((r) => r.body)).toEqual([
      { success: true, message: "TikTok account disconnected", revoked: true, alreadyDisconnected: false },
    ]);
    expect(results.filter((r) => r.body.alreadyDisconnected === true)).toHaveLength(3);
    expect(mark.revoke()).toBe(1);
    expect(await accountRow(h.db, accountId)).toBeUndefined();
    expect(await eventKinds(h.db, accountId)).toEqual(["connected", "disconnected"]);
  });

  it("S68: a disconnect arriving while another is revoking (the row still there) does not revoke again, and a failing revoke is recorded once", async () => {
    const browser = new TestBrowser(alice.cookie);
    const accountId = await connectTikTok(browser);
    h.sandbox.control.queueFault("revoke", { kind: "status", status: 500 });
    let during: Awaited<ReturnType<typeof postDisconnect>> | undefined;
    let sent = false;
    const tap = installProviderFetchTap({
      before: async (exchange) => {
        if (exchange.url.pathname !== "/v2/oauth/revoke/" || sent) return;
        sent = true; // the first revoke only: the second disconnect runs while it is held here
        during = await postDisconnect(browser, accountId);
      },
    });
    const mark = counterMark(h);
    let first;
    try {
      first = await postDisconnect(browser, accountId);
    } finally {
      tap.restore();
    }
    expect(during).toMatchObject({ status: 200, body: { success: true, revoked: false, alreadyDisconnected: true } });
    expect(first).toMatchObject({ status: 200, body: { success: true, revoked: false, alreadyDisconnected: false } });
    expect(mark.revoke()).toBe(1);
    expect(await accountRow(h.db, accountId)).toBeUndefined();
    expect(await eventKinds(h.db, accountId)).toEqual(["connected", "revoke_failed", "disconnected"]);
  });

  it("S68: a claim left by a disconnect that died is honoured until it lapses, then the next disconnect revokes and deletes", async () => {
    const browser = new TestBrowser(alice.cookie);
    const accountId = await connectTikTok(browser);
    const tokens = await storedTokens(h.db, accountId);
    const mark = counterMark(h);
    await h.db.update(socialAccounts).set({ disconnectClaimId: "died", disconnectClaimUntil: new Date(Date.now() + 30_000) }).where(eq(socialAccounts.id, accountId));
    expect((await postDisconnect(browser, accountId)).body).toMatchObject({ success: true, revoked: false, alreadyDisconnected: true });
    expect(mark.revoke()).toBe(0);
    expect(await accountRow(h.db, accountId)).toMatchObject({ id: accountId, disconnectClaimId: "died" });
    // Another user still learns nothing from a claimed row.
    expect((await postDisconnect(new TestBrowser(bob.cookie), accountId)).status).toBe(404);

    await h.db.update(socialAccounts).set({ disconnectClaimUntil: new Date(Date.now() - 1) }).where(eq(socialAccounts.id, accountId));
    expect((await postDisconnect(browser, accountId)).body).toMatchObject({ success: true, revoked: true, alreadyDisconnected: false });
    expect(mark.revoke()).toBe(1);
    expect(h.sandbox.control.accessTokenState(tokens.accessToken)).toBe("revoked");
    expect(await accountRow(h.db, accountId)).toBeUndefined();
    expect(await eventKinds(h.db, accountId)).toEqual(["connected", "disconnected"]);
  });

  /** Disconnects `accountId` while the same browser connects it again at `moment` of the disconnect's revoke. */
  async function disconnectWithReconnect(browser: TestBrowser, accountId: string, moment: "before_revoke" | "after_revoke") {
    let reconnectedId: string | undefined;
    let done = false;
    const isFirstRevoke = (exchange: TappedExchange) => exchange.url.pathname === "/v2/oauth/revoke/" && !done;
    const tap = installProviderFetchTap({
      before: async (exchange) => {
        if (moment !== "before_revoke" || !isFirstRevoke(exchange)) return;
        done = true;
        reconnectedId = await connectTikTok(browser);
      },
      intercept: async (exchange, forward) => {
        if (moment !== "after_revoke" || !isFirstRevoke(exchange)) return undefined;
        done = true;
        const answer = await forward();
        reconnectedId = await connectTikTok(browser);
        return answer;
      },
    });
    try {
      const result = await postDisconnect(browser, accountId);
      expect(reconnectedId).toBe(accountId);
      return result;
    } finally {
      tap.restore();
    }
  }

  it("S69: a reconnect that lands after the disconnect's revoke reached TikTok stands, connected with its new grant", async () => {
    const browser = new TestBrowser(alice.cookie);
    const accountId = await connectTikTok(browser);
    const old = await storedTokens(h.db, accountId);
    const result = await disconnectWithReconnect(browser, accountId, "after_revoke");
    expect(result).toMatchObject({ status: 200, body: { success: true, revoked: true } });
    // The reconnect came last and its user was told "connected": the row is there, unclaimed, usable.
    expect(await accountRow(h.db, accountId)).toMatchObject({ id: accountId, status: "ACTIVE", disconnectClaimId: null, disconnectClaimUntil: null });
    const now = await storedTokens(h.db, accountId);
    expect(h.sandbox.control.accessTokenState(old.accessToken)).toBe("revoked");
    expect(h.sandbox.control.accessTokenState(now.accessToken)).toBe("valid");
    // The disconnect checked the new grant with one refresh, which found it alive.
    expect(await eventKinds(h.db, accountId)).toEqual(["connected", "reconnected", "refreshed"]);
  });

  it("S69: a reconnect whose grant the disconnect's revoke then ended is shown as needing a reconnect at once, not left looking connected", async () => {
    const browser = new TestBrowser(alice.cookie);
    const accountId = await connectTikTok(browser);
    const result = await disconnectWithReconnect(browser, accountId, "before_revoke");
    expect(result).toMatchObject({ status: 200, body: { success: true, revoked: true } });
    // TikTok's revoke ended every grant of the app for this user, the reconnect's too.
    const now = await storedTokens(h.db, accountId);
    expect(h.sandbox.control.accessTokenState(now.accessToken)).toBe("revoked");
    expect(await accountRow(h.db, accountId)).toMatchObject({ id: accountId, status: "EXPIRED", disconnectClaimId: null });
    expect(await eventKinds(h.db, accountId)).toEqual(["connected", "reconnected", "expired"]);
  });

  it("S37: another user's account id → 404, untouched, nothing revoked", async () => {
    const aliceBrowser = new TestBrowser(alice.cookie);
    const accountId = await connectTikTok(aliceBrowser);
    const before = await accountRow(h.db, accountId);
    const tokens = await storedTokens(h.db, accountId);
    const bobBrowser = new TestBrowser(bob.cookie);
    const mark = counterMark(h);
    const attempt = await postDisconnect(bobBrowser, accountId);
    expect(attempt.status).toBe(404);
    expect(attempt.body).toEqual({ error: "Account not found", code: "not_found" });
    expect(mark.revoke()).toBe(0);
    expect(await accountRow(h.db, accountId)).toEqual(before);
    expect(h.sandbox.control.accessTokenState(tokens.accessToken)).toBe("valid");

    // Once Alice has disconnected it, Bob still learns nothing: 404, not "already disconnected".
    expect((await postDisconnect(aliceBrowser, accountId)).status).toBe(200);
    expect((await postDisconnect(bobBrowser, accountId)).status).toBe(404);
    // An id that never existed, and a body that is not an account id.
    expect((await postDisconnect(aliceBrowser, "does-not-exist")).status).toBe(404);
    const malformed = await disconnectRoute(
      aliceBrowser.request(`${APP_URL}/api/oauth/tiktok/disconnect`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ accountId: "x' OR 1=1 --" }),
      }),
    );
    expect(malformed.status).toBe(400);
    expect(mark.revoke()).toBe(1);
  });
});
