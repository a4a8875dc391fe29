import diagnosticsChannel from "node:diagnostics_channel";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DEFAULT_TIKTOK_SCOPES } from "@/lib/config/env-schema";
import { setDatabaseForTests } from "@/lib/db";
import type { DatabaseHandle } from "@/lib/db/client";
import { accountEvents, socialAccounts } from "@/lib/db/schema";
import { newBinding } from "@/lib/connections/browser-binding";
import { OAuthFlowError, OAuthProviderError, ProviderRequestError } from "@/lib/connections/errors";
import { DEFAULT_TIMEOUT_MS, PROVIDER_EXCHANGE_CHANNEL, type ProviderExchangeMessage } from "@/lib/connections/provider-http";
import { decideAtSandbox, resetAppGlobals, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { connectTikTok, followCallback, startConnect } from "../helpers/connect-flow";
import { createFetchTap, installProviderFetchTap, jsonResponse } from "../helpers/fetch-tap";
import { captureLogs, type LogCapture } from "../helpers/log-capture";
import { hookStatements } from "../helpers/statement-hooks";
import { usingRealPostgres } from "../helpers/test-db";
import {
  accountRow,
  accountRowsOf,
  clearAccounts,
  counterMark,
  directOAuthService,
  eventKinds,
  stateRowsOf,
  storedTokens,
} from "../helpers/security-kit";

type SignedUp = Awaited<ReturnType<AppHarness["signUp"]>>;

function without<T extends object>(value: T, key: keyof T): Partial<T> {
  const copy: Partial<T> = { ...value };
  delete copy[key];
  return copy;
}

describe("token endpoint faults and persistence", { timeout: 60_000 }, () => {
  let h: AppHarness;
  let logs: LogCapture;
  let alice: SignedUp;
  let bob: SignedUp;
  beforeAll(async () => {
    h = await startAppHarness();
    // Before the app's services are built: they keep the logger they are constructed with.
    logs = captureLogs();
    alice = await h.signUp("alice");
    bob = await h.signUp("bob");
  }, 120_000);
  afterAll(async () => {
    logs?.restore();
    await h?.close();
  });
  afterEach(async () => {
    h.sandbox.control.clearFaults();
    h.install();
    await clearAccounts(h.db);
    logs.clear();
  });

  /** Starts a flow as `user` and approves it at the sandbox: the browser and the callback URL. */
  async function approved(user: SignedUp = alice, choice?: Parameters<typeof decideAtSandbox>[1]) {
    const browser = new TestBrowser(user.cookie);
    const back = await decideAtSandbox(await startConnect(browser), choice);
    return { browser, back };
  }
  const errorOf = (result: { location?: URL }) => result.location?.searchParams.get("error");

  describe("token endpoint faults", () => {
    it.each([500, 503])("S17: token endpoint %i → no account row, clear error, and the flow can be restarted", async (status) => {
      const { browser, back } = await approved();
      h.sandbox.control.queueFault("token", { kind: "status", status });
      const mark = counterMark(h);
      const failed = await followCallback(browser, back);
      expect(errorOf(failed)).toBe("token_exchange_failed");
      expect(mark.codeExchanges()).toBe(1);
      expect(await accountRowsOf(h.db, alice.id)).toHaveLength(0);
      expect(await stateRowsOf(h.db, alice.id)).toHaveLength(0);
      // Restart: a new flow in the same browser completes.
      const accountId = await connectTikTok(browser);
      expect((await accountRow(h.db, accountId))?.userId).toBe(alice.id);
    });

    it("S18: a hanging token endpoint is aborted by the timeout, leaving no row", async () => {
      expect(DEFAULT_TIMEOUT_MS).toBeLessThanOrEqual(10_000);
      expect(DEFAULT_TIMEOUT_MS).toBeGreaterThan(0);
      const oauth = directOAuthService(h, { timeoutMs: 300 });
      const binding = newBinding();

      // The exchange itself: a ProviderRequestError of kind timeout, well within bounds.
      h.sandbox.control.queueFault("token", { kind: "hang" });
      let started = Date.now();
      const raw = await oauth.provider.exchangeCode("any*0!0000.va", "v".repeat(43)).catch((e: unknown) => e);
      expect(raw).toBeInstanceOf(ProviderRequestError);
      expect((raw as ProviderRequestError).kind).toBe("timeout");
      expect((raw as ProviderRequestError).transient).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);

      // The whole callback: token_exchange_failed, nothing stored, state gone.
      const back = await decideAtSandbox(await oauth.initiateOAuth(alice.id, binding));
      h.sandbox.control.queueFault("token", { kind: "hang" });
      started = Date.now();
      const error = await oauth.handleCallback(back, { userId: alice.id, browserBinding: binding }).catch((e: unknown) => e);
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(OAuthFlowError);
      expect((error as OAuthFlowError).code).toBe("token_exchange_failed");
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(5_000);
      expect(await accountRowsOf(h.db, alice.id)).toHaveLength(0);
      expect(await stateRowsOf(h.db, alice.id)).toHaveLength(0);
    });

    it("S18: the app's own token requests carry a timeout of at most 10 s", async () => {
      const bounds: number[] = [];
      const onExchange = (message: unknown) => bounds.push((message as ProviderExchangeMessage).timeoutMs);
      diagnosticsChannel.subscribe(PROVIDER_EXCHANGE_CHANNEL, onExchange);
      try {
        await connectTikTok(new TestBrowser(alice.cookie));
      } finally {
        diagnosticsChannel.unsubscribe(PROVIDER_EXCHANGE_CHANNEL, onExchange);
      }
      expect(bounds.length).toBeGreaterThan(0);
      for (const ms of bounds) expect(ms).toBeLessThanOrEqual(10_000);
      expect(bounds).toContain(DEFAULT_TIMEOUT_MS);
    });

    it.each([
      { kind: "html" as const, leaks: ["<!DOCTYPE", "Sandbox injected HTML", "Please wait"] },
      { kind: "malformed_json" as const, leaks: ["act.trunc"] },
      { kind: "json_array" as const, leaks: ['"error":"ok"', "log_id"] },
      { kind: "wrong_content_type" as const, leaks: [] },
    ])("S19: a token response that is $kind is rejected and its body is not logged", async ({ kind, leaks }) => {
      const { browser, back } = await approved();
      h.sandbox.control.queueFault("token", { kind });
      const tap = installProviderFetchTap();
      try {
        expect(errorOf(await followCallback(browser, back))).toBe("token_exchange_failed");
      } finally {
        tap.restore();
      }
      expect(tap.tokenExchanges()).toHaveLength(1);
      expect(await accountRowsOf(h.db, alice.id)).toHaveLength(0);
      // wrong_content_type wraps a real success: its tokens were in the body, and must not be logged.
      const { accessTokens, refreshTokens } = tap.issuedTokens();
      if (kind === "wrong_content_type") expect(accessTokens).toHaveLength(1);
      const logged = logs.text();
      expect(logs.events()).toContain("oauth.token_exchange_failed");
      for (const secret of [...leaks, ...accessTokens, ...refreshTokens, tap.tokenExchanges()[0]!.responseText!]) {
        expect(logged).not.toContain(secret);
      }
    });

    it("S19: the same bodies are rejected by the provider HTTP layer itself, with nothing of the body in the error", async () => {
      // (wrong_content_type wraps the real handler, which needs a real code: covered above.)
      for (const kind of ["html", "malformed_json", "json_array"] as const) {
        h.sandbox.control.queueFault("token", { kind });
        const error = await directOAuthService(h).provider.exchangeCode("any*0!0000.va", "v".repeat(43)).catch((e: unknown) => e);
        expect(error, kind).toBeInstanceOf(ProviderRequestError);
        expect((error as ProviderRequestError).kind).toBe("malformed_response");
        expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toMatch(/DOCTYPE|act\.|log_id/);
      }
    });
  });

  describe("S20: token bodies that are 200 but not a valid success", () => {
    const valid = {
      access_token: "act.valid!1234.va",
      expires_in: 86_400,
      open_id: "sbx-ava-0001",
      refresh_token: "rft.valid!1234.va",
      refresh_expires_in: 31_536_000,
      scope: "user.info.basic,video.list",
      token_type: "Bearer",
    };
    const withBody = (body: unknown, status = 200) =>
      directOAuthService(h, { fetch: createFetchTap({ intercept: () => jsonResponse(body, status) }).fetch });

    it("S20: the fake transport is sound: a valid body is accepted", async () => {
      const tokens = await withBody(valid).provider.exchangeCode("c", "v");
      expect(tokens).toMatchObject({ accessToken: valid.access_token, refreshToken: valid.refresh_token, expiresIn: 86_400 });
    });

    it.each([
      ["no access_token", without(valid, "access_token")],
      ["an empty access_token", { ...valid, access_token: "" }],
      ["expires_in as a string", { ...valid, expires_in: "86400" }],
      ["a negative expires_in", { ...valid, expires_in: -5 }],
      ["a zero expires_in", { ...valid, expires_in: 0 }],
      ["a fractional expires_in", { ...valid, expires_in: 1.5 }],
      ["a null expires_in", { ...valid, expires_in: null }],
      ["a numeric refresh_token", { ...valid, refresh_token: 123 }],
      ["no open_id", without(valid, "open_id")],
      ["the retired v1 wrapped shape", { data: valid }],
    ])("S20: a 200 with %s is rejected as malformed", async (_label, body) => {
      const error = await withBody(body).provider.exchangeCode("c", "v").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderRequestError);
      expect((error as ProviderRequestError).kind).toBe("malformed_response");
    });

    it("S20: an error body with HTTP 200 is an error, even next to an access_token", async () => {
      for (const body of [{ error: "invalid_grant" }, { ...valid, error: "invalid_grant", error_description: "x" }]) {
        const error = await withBody(body).provider.exchangeCode("c", "v").catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OAuthProviderError);
        expect(error).toMatchObject({ error: "invalid_grant", status: 200 });
      }
      const unknown = await withBody({ error: "<b>weird</b>" }).provider.exchangeCode("c", "v").catch((e: unknown) => e);
      expect(unknown).toMatchObject({ error: "unknown_error" });
    });

    it("S20: through the callback, a 200 error body means token_exchange_failed and no row", async () => {
      const tap = createFetchTap({
        intercept: (e) => (e.url.pathname === "/v2/oauth/token/" ? jsonResponse({ error: "invalid_grant", error_description: "no" }) : undefined),
      });
      const oauth = directOAuthService(h, { fetch: tap.fetch });
      const binding = newBinding();
      const back = await decideAtSandbox(await oauth.initiateOAuth(alice.id, binding));
      const error = await oauth.handleCallback(back, { userId: alice.id, browserBinding: binding }).catch((e: unknown) => e);
      expect((error as OAuthFlowError).code).toBe("token_exchange_failed");
      expect(tap.tokenExchanges()).toHaveLength(1);
      expect(tap.exchanges.filter((e) => e.url.pathname === "/v2/user/info/")).toHaveLength(0);
      expect(await accountRowsOf(h.db, alice.id)).toHaveLength(0);
    });
  });

  describe("granted scopes and ownership", () => {
    it("S21: fewer scopes granted than requested → the granted scopes are stored", async () => {
      const { browser, back } = await approved(alice, { grant: ["user.info.basic"] });
      expect(new URL(back).searchParams.get("scopes")).toBe("user.info.basic");
      const done = await followCallback(browser, back);
      const row = await accountRow(h.db, done.location!.searchParams.get("account")!);
      expect(row?.scopes).toEqual(["user.info.basic"]);

      const partial = await approved(bob, { openId: "sbx-ben-0002", grant: ["user.info.basic", "video.list"] });
      const second = await followCallback(partial.browser, partial.back);
      expect((await accountRow(h.db, second.location!.searchParams.get("account")!))?.scopes).toEqual(["user.info.basic", "video.list"]);
    });

    it("S22: the same TikTok account already linked to another user → refused explicitly, never moved", async () => {
      const accountId = await connectTikTok(new TestBrowser(alice.cookie));
      const before = await accountRow(h.db, accountId);
      const aliceToken = (await storedTokens(h.db, accountId)).accessToken;

      const { browser, back } = await approved(bob);
      const mark = counterMark(h);
      const result = await followCallback(browser, back);
      expect(errorOf(result)).toBe("account_already_linked");
      expect(mark.codeExchanges()).toBe(1);
      expect(await accountRowsOf(h.db, bob.id)).toHaveLength(0);
      expect(await accountRow(h.db, accountId)).toEqual(before);
      expect(await eventKinds(h.db, accountId)).toEqual(["connected"]);
      // Alice's grant was left alone at TikTok too.
      expect(h.sandbox.control.accessTokenState(aliceToken)).toBe("valid");
    });
  });

  /**
   * The callback reads who holds the TikTok account while TikTok's user-info call is in flight
   * (the token answer already names it): these hold that call open and check what the early read
   * may and may not do.
   */
  describe("who holds the account is read during the profile call", () => {
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
      // Counted where node-postgres is handed a statement to send: a named statement is parsed
      // once per connection, so its Parse messages would not count its runs.
      const client = pg.Client.prototype as unknown as { query: (config: unknown, ...rest: unknown[]) => unknown };
      const original = client.query;
      let holderReads = 0;
      client.query = function (this: unknown, config, ...rest) {
        const text = typeof config === "string" ? config : (config as { text?: string } | null)?.text;
        if (text && /^select "id", "user_id" from "social_accounts"/.test(text)) holderReads++;
        return original.call(this, config, ...rest);
      };
      // Were the read still made after the profile call, it would never come while that call is
      // held, and the wait would fail.
      const tap = holdUserInfo(() => vi.waitFor(() => expect(holderReads).toBe(1), { timeout: 10_000 }));
      try {
        const { browser, back } = await approved();
        const done = await followCallback(browser, back);
        expect(done.location?.searchParams.get("account")).toBeTruthy();
        expect(holderReads).toBe(1);
      } finally {
        tap.restore();
        client.query = original;
      }
    });

    it("S22: the account linked to another user while the profile call is in flight → refused, the other user's row untouched", async () => {
      const { browser, back } = await approved();
      let bobsAccount = "";
      const tap = holdUserInfo(async () => {
        tap.restore(); // Bob's own connect goes to the sandbox directly.
        bobsAccount = await connectTikTok(new TestBrowser(bob.cookie));
      });
      let result;
      try {
        result = await followCallback(browser, back);
      } finally {
        tap.restore();
      }
      expect(errorOf(result)).toBe("account_already_linked");
      expect(await accountRowsOf(h.db, alice.id)).toHaveLength(0);
      expect((await accountRow(h.db, bobsAccount))?.userId).toBe(bob.id);
      expect(await eventKinds(h.db, bobsAccount)).toEqual(["connected"]);
      // Bob's tokens are still the ones his connect stored, and TikTok still honours them.
      expect(h.sandbox.control.accessTokenState((await storedTokens(h.db, bobsAccount)).accessToken)).toBe("valid");
    });

    it("a reconnect whose account is disconnected while the profile call is in flight → stored as a new row with readable tokens", async () => {
      const browser = new TestBrowser(alice.cookie);
      await connectTikTok(browser);
      const back = await decideAtSandbox(await startConnect(browser));
      const tap = holdUserInfo(() => clearAccounts(h.db));
      let result;
      try {
        result = await followCallback(browser, back);
      } finally {
        tap.restore();
      }
      const accountId = result.location?.searchParams.get("account");
      expect(accountId).toBeTruthy();
      expect((await accountRowsOf(h.db, alice.id)).map((r) => r.id)).toEqual([accountId]);
      // The ciphertext is bound to the row it was written to, whichever id that is (S27).
      expect(h.sandbox.control.accessTokenState((await storedTokens(h.db, accountId!)).accessToken)).toBe("valid");
    });
  });

  describe("persistence", () => {
    /**
     * The app's database, except that saveConnection fails: either its read of who holds the
     * account (connection lost), or its one write — the account row and its event in one
     * statement — refused by PostgreSQL (disk full), so neither is stored.
     */
    function breakSaveConnection(mode: "read" | "write") {
      const message =
        mode === "read" ? "Connection terminated unexpectedly (secret-db-detail)" : "could not extend file: No space left on device (secret-db-detail)";
      const statement = mode === "read" ? /^select "id", "user_id" from "social_accounts"/ : /^\s*with saved as \(\s*insert into social_accounts/;
      const db = hookStatements(h.db, (text, run) => (statement.test(text) ? Promise.reject(new Error(message)) : run()));
      resetAppGlobals();
      setDatabaseForTests({ ...(h.database as DatabaseHandle), db });
    }

    it.each(["read", "write"] as const)(
      "S23: the database failing (%s) after a successful exchange → no row, the fresh token revoked, generic error, no token in logs",
      async (mode) => {
        const { browser, back } = await approved();
        const eventsBefore = (await h.db.select().from(accountEvents)).length;
        breakSaveConnection(mode);
        const tap = installProviderFetchTap();
        const mark = counterMark(h);
        let result;
        try {
          result = await followCallback(browser, back);
        } finally {
          tap.restore();
          h.install();
        }
        expect(result.location?.toString()).toBe("http://localhost:3999/settings/accounts?error=oauth_failed&provider=tiktok");
        expect(mark.codeExchanges()).toBe(1);
        expect(await h.db.select().from(socialAccounts)).toHaveLength(0);
        expect(await h.db.select().from(accountEvents)).toHaveLength(eventsBefore);

        const { accessTokens, refreshTokens } = tap.issuedTokens();
        expect(accessTokens).toHaveLength(1);
        expect(mark.revoke()).toBe(1);
        expect(tap.revokeExchanges()[0]!.status).toBe(200);
        expect(h.sandbox.control.accessTokenState(accessTokens[0]!)).toBe("revoked");
        expect(h.sandbox.control.tokenState(refreshTokens[0]!)).toBe("revoked");

        const logged = logs.text();
        expect(logs.events()).toContain("oauth.connect_failed");
        for (const secret of [...accessTokens, ...refreshTokens, "secret-db-detail", h.config.tiktok.clientSecret!]) {
          expect(logged).not.toContain(secret);
        }
        expect(result.response.headers.get("location")).not.toContain("secret-db-detail");
      },
    );

    it.each(["the profile call failing with a TikTok 500", "the database failing on the write"])("S72: a reconnect failing after the exchange, %s, does not revoke: the account already connected keeps working", async (label) => {
      const browser = new TestBrowser(alice.cookie);
      const accountId = await connectTikTok(browser);
      const before = await storedTokens(h.db, accountId);
      const back = await decideAtSandbox(await startConnect(browser));
      if (label.startsWith("the profile")) h.sandbox.control.queueFault("user_info", { kind: "status", status: 500 });
      else breakSaveConnection("write");
      const mark = counterMark(h);
      let failed;
      try {
        failed = await followCallback(browser, back);
      } finally {
        h.install();
      }
      expect(errorOf(failed)).toBe("oauth_failed");
      expect(mark.codeExchanges()).toBe(1);
      // TikTok's revoke disconnects the app from the user's account altogether: it would have
      // ended the stored grant too. The stored connection is untouched and still works.
      expect(mark.revoke()).toBe(0);
      expect(await storedTokens(h.db, accountId)).toEqual(before);
      expect(h.sandbox.control.accessTokenState(before.accessToken)).toBe("valid");
      expect(h.sandbox.control.tokenState(before.refreshToken!)).toBe("valid");
    });

    it("S24: reconnecting the same TikTok account updates its one row", async () => {
      const browser = new TestBrowser(alice.cookie);
      const first = await connectTikTok(browser, { grant: ["user.info.basic"] });
      const before = await accountRow(h.db, first);
      const beforeTokens = await storedTokens(h.db, first);
      const second = await connectTikTok(browser);
      expect(second).toBe(first);
      const rows = await accountRowsOf(h.db, alice.id);
      expect(rows).toHaveLength(1);
      const after = rows[0]!;
      expect(after.id).toBe(before!.id);
      expect(after.createdAt).toEqual(before!.createdAt);
      expect(after.updatedAt.getTime()).toBeGreaterThan(before!.updatedAt.getTime());
      expect(after.scopes).toEqual(DEFAULT_TIKTOK_SCOPES.split(","));
      const afterTokens = await storedTokens(h.db, first);
      expect(afterTokens.accessToken).not.toBe(beforeTokens.accessToken);
      expect(h.sandbox.control.accessTokenState(afterTokens.accessToken)).toBe("valid");
      expect(await eventKinds(h.db, first)).toEqual(["connected", "reconnected"]);
    });
  });
});
