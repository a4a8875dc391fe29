import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { decideAtSandbox, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { connectTikTok, followCallback, startConnect } from "../helpers/connect-flow";
import { installProviderFetchTap } from "../helpers/fetch-tap";
import { accountRow, accountRowsOf, clearAccounts, eventKinds, storedTokens } from "../helpers/security-kit";
import { usingRealPostgres } from "../helpers/test-db";

type SignedUp = Awaited<ReturnType<AppHarness["signUp"]>>;

/**
 * The callback reads who holds the TikTok account while TikTok's user-info call is in flight (the
 * token answer already names the account): these tests hold that call open and check what the
 * early read may and may not do.
 */
describe("connect: who holds the account is read during the profile call", { timeout: 60_000 }, () => {
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
    h.install();
    await clearAccounts(h.db);
  });

  async function approved(user: SignedUp, openId = "sbx-ava-0001") {
    const browser = new TestBrowser(user.cookie);
    const back = await decideAtSandbox(await startConnect(browser), { openId });
    return { browser, back };
  }

  /** Runs `during` while the app's user-info call to TikTok is held open, then lets it answer. */
  function holdUserInfo(during: () => Promise<void>) {
    return installProviderFetchTap({
      intercept: async (exchange, forward) => {
        if (exchange.url.pathname !== "/v2/user/info/") return undefined;
        await during();
        return forward();
      },
    });
  }

  it.runIf(usingRealPostgres)("the holder read is sent before TikTok's user-info answer arrives", async () => {
    const connection = pg.Connection.prototype as unknown as { parse: (query: { text: string }) => void };
    const original = connection.parse;
    let holderReads = 0;
    connection.parse = function (this: unknown, query) {
      if (/^select "id", "user_id" from "social_accounts"/.test(query.text)) holderReads++;
      return original.call(this, query);
    };
    // Were the read still made after the profile call, it would never come while that call is
    // held, and the wait would fail.
    const tap = holdUserInfo(() => vi.waitFor(() => expect(holderReads).toBe(1), { timeout: 10_000 }));
    try {
      const { browser, back } = await approved(alice);
      const done = await followCallback(browser, back);
      expect(done.location?.searchParams.get("account")).toBeTruthy();
      expect(holderReads).toBe(1);
    } finally {
      tap.restore();
      connection.parse = original;
    }
  });

  it("S22: the account linked to another user while the profile call is in flight → refused, the other user's row untouched", async () => {
    const { browser, back } = await approved(alice);
    let bobsAccount = "";
    const tap = holdUserInfo(async () => {
      tap.restore(); // Bob's own connect goes to the sandbox directly.
      bobsAccount = await connectTikTok(new TestBrowser(bob.cookie), { openId: "sbx-ava-0001" });
    });
    let result;
    try {
      result = await followCallback(browser, back);
    } finally {
      tap.restore();
    }
    expect(result.location?.searchParams.get("error")).toBe("account_already_linked");
    expect(await accountRowsOf(h.db, alice.id)).toHaveLength(0);
    const bobsRow = await accountRow(h.db, bobsAccount);
    expect(bobsRow?.userId).toBe(bob.id);
    expect(await eventKinds(h.db, bobsAccount)).toEqual(["connected"]);
    // Bob's tokens are still the ones his connect stored, and TikTok still honours them.
    const bobsTokens = await storedTokens(h.db, bobsAccount);
    expect(h.sandbox.control.accessTokenState(bobsTokens.accessToken)).toBe("valid");
  });

  it("a reconnect whose account is disconnected while the profile call is in flight → stored as a new row with readable tokens", async () => {
    const browser = new TestBrowser(alice.cookie);
    await connectTikTok(browser, { openId: "sbx-ava-0001" });
    const back = await decideAtSandbox(await startConnect(browser), { openId: "sbx-ava-0001" });
    const tap = holdUserInfo(async () => {
      await clearAccounts(h.db);
    });
    let result;
    try {
      result = await followCallback(browser, back);
    } finally {
      tap.restore();
    }
    const accountId = result.location?.searchParams.get("account");
    expect(accountId).toBeTruthy();
    const rows = await accountRowsOf(h.db, alice.id);
    expect(rows.map((r) => r.id)).toEqual([accountId]);
    // The ciphertext is bound to the row it was written to, whichever id that is (S27).
    const tokens = await storedTokens(h.db, accountId!);
    expect(h.sandbox.control.accessTokenState(tokens.accessToken)).toBe("valid");
  });
});
