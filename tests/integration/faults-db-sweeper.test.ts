import { registryOf } from "../helpers/security-kit";
/**
 * Fault: PostgreSQL going away while the refresh sweeper runs (issue 7, item 3). The
 * sweeper's pool reaches the REAL PostgreSQL through a loopback TCP proxy; `block()` resets
 * every connection and refuses new ones — what a PostgreSQL restart or failover looks like
 * from the app — and `unblock()` brings it back. The real server is never touched.
 * The sweeper must log, keep running and recover on a later sweep, and an outage must never
 * cost an account: TikTok rotates refresh tokens (https://developers.tiktok.com/doc/oauth-user-access-token-management), so a refresh answered
 * by TikTok but not stored would leave only a dead refresh token behind.
 * Skipped without TEST_DATABASE_URL.
 */
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { startTikTokSandbox } from "../../sandbox/tiktok/index";
import { createManualClock } from "@/lib/clock";
import { createTokenCipher, parseKeyring } from "@/lib/crypto";
import { openDatabase, type DatabaseHandle } from "@/lib/db/client";
import { socialAccounts, type SocialAccountRow } from "@/lib/db/schema";
import { RefreshSweeper } from "@/lib/connections/refresh-sweeper";
import { tokenAad } from "@/lib/connections/account-store";
import { REFRESH_LEASE_MS } from "@/lib/connections/refresh-lease";
import { TikTokProvider } from "@/lib/providers/tiktok/oauth-provider";
import { ConnectionService } from "@/lib/connections/connection-service";
import { TokenRefresher } from "@/lib/connections/token-refresher";
import { memoryLogger } from "../helpers/log-capture";
import { refreshedEventCounts, sandboxTikTokConfig, seedConnectedAccounts, type SeededAccount } from "../helpers/seed-accounts";
import { startTcpProxy, targetOf, type TcpProxy } from "../helpers/tcp-proxy";
import { createTestDatabase, usingRealPostgres } from "../helpers/test-db";

const ACCOUNTS = 6;

describe.skipIf(!usingRealPostgres)("faults: PostgreSQL going away while the sweeper runs (real PostgreSQL through a TCP proxy)", { timeout: 60_000 }, () => {
  let direct: DatabaseHandle & { url?: string };
  let proxy: TcpProxy;
  let proxied: DatabaseHandle;
  let sandbox: Awaited<ReturnType<typeof startTikTokSandbox>>;
  const cipher = createTokenCipher(parseKeyring(`k1:${randomBytes(32).toString("base64")}`));
  const lines: string[] = [];
  let sweeper: RefreshSweeper | undefined;

  beforeAll(async () => {
    direct = await createTestDatabase();
    proxy = await startTcpProxy(targetOf(direct.url!, 5432));
    proxied = await openDatabase({ url: proxy.urlFor(direct.url!), max: 8 });
    sandbox = await startTikTokSandbox({ port: 0 });
  }, 60_000);
  afterAll(async () => {
    await sweeper?.stop();
    await proxied?.close().catch(() => {});
    await proxy?.close();
    await sandbox?.close();
    await direct?.close();
  });
  afterEach(async () => {
    await sweeper?.stop();
    sweeper = undefined;
    proxy.unblock();
    sandbox.control.reset(); // counters, tokens and faults
    lines.splice(0, lines.length);
    await direct.db.execute(sql`delete from account_events`);
    await direct.db.execute(sql`delete from social_accounts`);
  });

  /** A sweeper (and its refresher) on the proxied pool, on a clock the test can move. */
  async function world() {
    const clock = createManualClock(new Date());
    const logger = memoryLogger(lines, "info");
    const oauth = new ConnectionService({ db: proxied.db, cipher, clock, logger, provider: new TikTokProvider(sandboxTikTokConfig(sandbox.url), { timeoutMs: 5_000 }) });
    const refresher = new TokenRefresher({ db: proxied.db, cipher, providers: registryOf(oauth.provider), clock, logger, random: () => 0.5 });
    sweeper = new RefreshSweeper({ db: proxied.db, refresher, clock, logger, batchSize: 20, concurrency: ACCOUNTS, idleMs: 20 });
    const { accounts } = await seedConnectedAccounts({
      db: direct.db,
      cipher,
      sandbox,
      count: ACCOUNTS,
      now: clock.now(),
      dueAt: new Date(clock.now().getTime() - 60_000),
    });
    return { clock, sweeper, accounts };
  }

  const events = () => lines.map((l) => JSON.parse(l) as { event?: string; err?: unknown; level: number });
  const rows = (): Promise<SocialAccountRow[]> => direct.db.select().from(socialAccounts);
  const refreshTokenOf = (row: SocialAccountRow) => cipher.decrypt(row.refreshToken!, tokenAad(row.id, "refresh_token"));

  async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Every account ACTIVE, refreshed exactly once, holding the refresh token TikTok considers valid. */
  async function expectAllRefreshedOnce(accounts: SeededAccount[]) {
    const current = await rows();
    expect(current).toHaveLength(ACCOUNTS);
    for (const row of current) {
      expect(row.status, row.statusReason ?? "").toBe("ACTIVE");
      expect(row.refreshLeaseId).toBeNull();
      const stored = refreshTokenOf(row);
      expect(sandbox.control.tokenState(stored)).toBe("valid");
      const seeded = accounts.find((a) => a.id === row.id)!;
      expect(stored).not.toBe(seeded.refreshToken);
      expect(sandbox.control.tokenState(seeded.refreshToken)).toBe("rotated");
    }
    const counts = await refreshedEventCounts(direct.db);
    expect([...counts.values()]).toEqual(Array(ACCOUNTS).fill(1));
  }

  /** Logged failures name the error class/code only: no database URL, no token. */
  function expectCleanLogs(accounts: SeededAccount[]) {
    const text = lines.join("");
    for (const secret of [direct.url!, proxy.urlFor(direct.url!), ...accounts.flatMap((a) => [a.accessToken, a.refreshToken])]) {
      expect(text).not.toContain(secret);
    }
  }

  it("PostgreSQL unreachable when the sweeper claims: each sweep fails and is logged, the loop keeps going, and it catches up once PostgreSQL is back", async () => {
    const { sweeper, accounts } = await world();
    proxy.block();
    sweeper.start();
    await until(() => events().filter((e) => e.event === "sweeper.sweep_failed").length >= 3, "three failed sweeps");
    expect(sandbox.control.counters().token).toBe(0); // nothing claimed, nothing refreshed
    const failed = events().find((e) => e.event === "sweeper.sweep_failed")!;
    expect(failed.level).toBe(50);
    expect(Object.keys(failed.err as object).sort()).toEqual(expect.arrayContaining(["type"]));

    proxy.unblock();
    await until(async () => (await refreshedEventCounts(direct.db)).size === ACCOUNTS, "every account refreshed");
    await sweeper.stop();
    await expectAllRefreshedOnce(accounts);
    expect(sandbox.control.counters().tokenByGrant.refresh_token).toBe(ACCOUNTS);
    expectCleanLogs(accounts);
  });

  it("PostgreSQL restarts while TikTok is answering a batch of refreshes: the rotated tokens are stored once it is back, and no account is lost", async () => {
    const { clock, sweeper, accounts } = await world();
    sandbox.control.queueFault("token", { kind: "delay", ms: 300 }, ACCOUNTS);
    const sweep = sweeper.sweepOnce();
    // Every account is claimed and its refresh is at TikTok: now PostgreSQL goes away for a second.
    await until(() => sandbox.control.counters().token === ACCOUNTS, "all refreshes in flight");
    proxy.block();
    await new Promise((r) => setTimeout(r, 1_000));
    proxy.unblock();
    const result = await sweep;
    expect(result).toEqual({ claimed: ACCOUNTS, outcomes: { refreshed: ACCOUNTS } });
    // The outage really hit the writes of rotated pairs, which were retried until it ended.
    expect(events().filter((e) => e.event === "token.refresh_store_retry").length).toBeGreaterThanOrEqual(ACCOUNTS);
    expect(events().map((e) => e.event)).not.toContain("token.refresh_unsaved");

    // Later sweeps (after any lease has lapsed) must find nothing to repair and nothing to expire.
    clock.advance(REFRESH_LEASE_MS + 1_000);
    for (let i = 0; i < 3; i++) await sweeper.sweepOnce();
    await expectAllRefreshedOnce(accounts);
    expect(sandbox.control.counters().tokenByGrant.refresh_token).toBe(ACCOUNTS);
    expectCleanLogs(accounts);
  });

  it("connections dropped (not refused) between sweeps: the pool reconnects and the next sweep just works", async () => {
    const { sweeper, accounts } = await world();
    await direct.db.update(socialAccounts).set({ nextRefreshAt: new Date(Date.now() + 3_600_000) }).where(sql`true`);
    await sweeper.sweepOnce(); // opens pooled connections; nothing due
    proxy.cutAll();
    await direct.db.update(socialAccounts).set({ nextRefreshAt: new Date(Date.now() - 60_000) }).where(sql`true`);
    const result = await sweeper.sweepOnce();
    expect(result).toEqual({ claimed: ACCOUNTS, outcomes: { refreshed: ACCOUNTS } });
    await expectAllRefreshedOnce(accounts);
    expect(events().map((e) => e.event)).not.toContain("sweeper.refresh_crashed");
    const [one] = await direct.db.select().from(socialAccounts).where(eq(socialAccounts.id, accounts[0]!.id));
    expect(one?.refreshFailures).toBe(0);
  });
});
