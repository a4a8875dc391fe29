/**
 * Fault: the database failing mid-callback, on the REAL PostgreSQL (issue 7, item 3;
 * docs/security.md S23). The app's pool reaches PostgreSQL through a TCP proxy that cuts every
 * connection at a chosen moment — while TikTok is answering the code exchange, after the
 * profile call, or as saveConnection's one write (account row and event) goes out — and refuses
 * new ones until the "restart" is over. Nothing may be half-written, the fresh grant must be
 * revoked at TikTok, the browser gets the generic error, and nothing sensitive is logged.
 * Skipped without TEST_DATABASE_URL (PGlite has no network to cut).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setConfigForTests } from "@/lib/config/config";
import { setDatabaseForTests } from "@/lib/db";
import { openDatabase, type DatabaseHandle } from "@/lib/db/client";
import { accountEvents, oauthStates, socialAccounts } from "@/lib/db/schema";
import { decideAtSandbox, resetAppGlobals, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { connectTikTok, followCallback, startConnect } from "../helpers/connect-flow";
import { installProviderFetchTap } from "../helpers/fetch-tap";
import { captureLogs, type LogCapture } from "../helpers/log-capture";
import { accountRow, clearAccounts, counterMark, stateRowsOf } from "../helpers/security-kit";
import { startTcpProxy, targetOf, type TcpProxy } from "../helpers/tcp-proxy";
import { usingRealPostgres } from "../helpers/test-db";

const GENERIC_ERROR = "http://localhost:3999/settings/accounts?error=oauth_failed&provider=tiktok";

describe.skipIf(!usingRealPostgres)("faults: PostgreSQL failing mid-callback (real PostgreSQL through a TCP proxy)", { timeout: 60_000 }, () => {
  let h: AppHarness;
  let logs: LogCapture;
  let proxy: TcpProxy;
  let proxied: DatabaseHandle;
  let user: Awaited<ReturnType<AppHarness["signUp"]>>;
  /** A connection dying under a checked-out pg client must fail the query, not crash the process. */
  const crashes: unknown[] = [];
  const onCrash = (error: unknown) => void crashes.push(error);

  /** The app's globals, with its database opened through the proxy (a fresh pool each time). */
  function installProxiedApp() {
    resetAppGlobals();
    setConfigForTests(h.config);
    setDatabaseForTests(proxied);
  }

  beforeAll(async () => {
    process.on("uncaughtException", onCrash);
    h = await startAppHarness();
    logs = captureLogs();
    user = await h.signUp("faulty");
    proxy = await startTcpProxy(targetOf(h.database.url!, 5432));
    proxied = await openDatabase({ url: proxy.urlFor(h.database.url!), max: 4 });
    installProxiedApp();
  }, 120_000);
  afterAll(async () => {
    process.off("uncaughtException", onCrash);
    logs?.restore();
    await proxied?.close().catch(() => {});
    await proxy?.close();
    await h?.close();
  });
  afterEach(async () => {
    proxy.setCutWhen(undefined);
    proxy.unblock();
    h.sandbox.control.clearFaults();
    await clearAccounts(h.db);
    installProxiedApp();
    logs.clear();
  });

  /** Polls until `condition` holds. */
  async function until(condition: () => boolean, what: string, timeoutMs = 5_000) {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** After the outage: the same browser can connect again, through the same proxy and pool. */
  async function expectRecovery(browser: TestBrowser) {
    proxy.unblock();
    const accountId = await connectTikTok(browser);
    expect((await accountRow(h.db, accountId))?.userId).toBe(user.id);
    expect(crashes).toEqual([]);
  }

  const eventCount = async () => (await h.db.select().from(accountEvents)).length;

  /** S23's checks, on the direct (unproxied) connection. */
  async function expectNothingKeptAndGrantReturned(
    result: Awaited<ReturnType<typeof followCallback>>,
    tap: ReturnType<typeof installProviderFetchTap>,
    eventsBefore: number,
  ) {
    expect(result.status).toBe(303);
    expect(result.location?.toString()).toBe(GENERIC_ERROR);
    expect(await h.db.select().from(socialAccounts)).toHaveLength(0);
    expect(await eventCount()).toBe(eventsBefore);
    // The state was consumed before the outage: the callback cannot be replayed.
    expect(await stateRowsOf(h.db, user.id)).toHaveLength(0);

    // The fresh grant went back to TikTok.
    const { accessTokens, refreshTokens } = tap.issuedTokens();
    expect(accessTokens).toHaveLength(1);
    expect(tap.revokeExchanges()).toHaveLength(1);
    expect(h.sandbox.control.accessTokenState(accessTokens[0]!)).toBe("revoked");
    expect(h.sandbox.control.tokenState(refreshTokens[0]!)).toBe("revoked");

    // Logged: what failed, by class and code; never a token, code, secret or the database URL.
    expect(logs.events()).toContain("oauth.connect_failed");
    const logged = logs.text();
    const secrets = [
      ...accessTokens,
      ...refreshTokens,
      ...tap.sentFormValues("code"),
      ...tap.sentFormValues("code_verifier"),
      h.config.tiktok.clientSecret!,
      proxy.urlFor(h.database.url!),
      h.database.url!,
    ];
    expect(secrets.length).toBeGreaterThanOrEqual(7);
    for (const secret of secrets) expect(logged).not.toContain(secret);
  }

  it.each([
    { endpoint: "token" as const, moment: "while TikTok answers the code exchange" },
    { endpoint: "user_info" as const, moment: "while TikTok answers the profile call (after the exchange)" },
  ])("S23: PostgreSQL goes away $moment → no row, the fresh grant revoked, generic error, nothing sensitive logged", async ({ endpoint }) => {
    const browser = new TestBrowser(user.cookie);
    const back = await decideAtSandbox(await startConnect(browser));
    const eventsBefore = await eventCount();
    const refusedBefore = proxy.stats().refused;
    h.sandbox.control.queueFault(endpoint, { kind: "delay", ms: 300 });
    const mark = counterMark(h);
    const tap = installProviderFetchTap();
    let result;
    try {
      const pending = followCallback(browser, back);
      await until(() => (endpoint === "token" ? mark.token() : mark.userInfo()) === 1, `the ${endpoint} request`);
      proxy.block(); // every pooled connection reset; new ones refused until unblock()
      result = await pending;
    } finally {
      tap.restore();
    }
    // The app really tried the database after the cut, and could not reach it.
    expect(proxy.stats().refused).toBeGreaterThan(refusedBefore);
    expect(mark.codeExchanges()).toBe(1);
    await expectNothingKeptAndGrantReturned(result, tap, eventsBefore);
    await expectRecovery(browser);
  });

  it("S23: the connection dies as saveConnection's write goes out (account row and event in one statement) → nothing kept, grant revoked", async () => {
    const browser = new TestBrowser(user.cookie);
    const back = await decideAtSandbox(await startConnect(browser));
    const eventsBefore = await eventCount();
    const cutsBefore = proxy.stats().cuts;
    const seen: string[] = [];
    // The account row and its event travel in one statement: there is no moment where one is
    // written and the other not. Cut exactly that statement. It is a named prepared statement
    // (src/lib/db/prebuilt.ts): its text goes out with its name the first time a connection runs
    // it, only its name and values after that — so it is cut by name, and its text, when it
    // travels, must hold both inserts.
    proxy.setCutWhen((chunk) => {
      const text = chunk.toString("latin1");
      const account = /insert into "?social_accounts"?/i.test(text);
      const event = /insert into account_events/i.test(text);
      const byName = /sf_account_write_[0-9a-f]{16}/.test(text);
      if (account || event) seen.push(account && event ? "account_and_event" : account ? "account_only" : "event_only");
      else if (byName) seen.push("by_name");
      return account || byName;
    });
    const tap = installProviderFetchTap();
    let result;
    try {
      result = await followCallback(browser, back);
    } finally {
      tap.restore();
    }
    expect(seen).toHaveLength(1);
    expect(["account_and_event", "by_name"]).toContain(seen[0]);
    expect(proxy.stats().cuts).toBe(cutsBefore + 1);
    await expectNothingKeptAndGrantReturned(result, tap, eventsBefore);
    proxy.setCutWhen(undefined);
    await expectRecovery(browser);
  });

  it("a dropped connection (cut, not refused) before the callback: the pool reconnects and the connect completes", async () => {
    const browser = new TestBrowser(user.cookie);
    const back = await decideAtSandbox(await startConnect(browser));
    proxy.cutAll(); // every idle pooled connection is dead; the server itself is fine
    // As after a real drop, the pool hears of it (the sockets close) before the next request:
    // without this wait the callback could race the close events on the same tick.
    const pool = (proxied.db as unknown as { $client: { idleCount: number } }).$client;
    await until(() => pool.idleCount === 0, "the pool to see its idle connections closed");
    const result = await followCallback(browser, back);
    expect(result.location?.searchParams.get("success")).toBe("tiktok");
    const rows = await h.db.select().from(socialAccounts);
    expect(rows).toHaveLength(1);
    expect(await h.db.select().from(oauthStates)).toHaveLength(0);
  });
});
