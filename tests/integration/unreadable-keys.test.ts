import { registryOf } from "../helpers/security-kit";
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { asc, eq, sql } from "drizzle-orm";
import { startTikTokSandbox } from "../../sandbox/tiktok/index";
import { createManualClock } from "@/lib/clock";
import { createTokenCipher, parseKeyring, type TokenCipher } from "@/lib/crypto";
import type { DatabaseHandle } from "@/lib/db/client";
import { accountEvents, socialAccounts, type SocialAccountRow } from "@/lib/db/schema";
import { tokenAad } from "@/lib/connections/account-store";
import { TikTokProvider } from "@/lib/providers/tiktok/oauth-provider";
import { ConnectionService } from "@/lib/connections/connection-service";
import { TokenRefresher } from "@/lib/connections/token-refresher";
import { RefreshSweeper } from "@/lib/connections/refresh-sweeper";
import { metricValue, resetMetricsForTests } from "@/lib/observability/metrics";
import { TikTokApiClient } from "@/lib/providers/tiktok/api-client";
import { TikTokCallError } from "@/lib/providers/tiktok/call-errors";
import { AccountService } from "@/lib/connections/account-service";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { createTestDatabase, usingRealPostgres } from "../helpers/test-db";
import { sandboxTikTokConfig, seedConnectedAccounts } from "../helpers/seed-accounts";
import { captureLogs, type LogCapture } from "../helpers/log-capture";

const MINUTE = 60_000;
const keyLine = (kid: string) => `${kid}:${randomBytes(32).toString("base64")}`;

/**
 * One database and one TikTok sandbox; each `deploy(keys)` is the app started again with that
 * TOKEN_ENCRYPTION_KEYS (its own cipher, refresher, sweeper and API client), sharing one fake clock.
 */
async function startWorld(database: DatabaseHandle, logs: LogCapture) {
  const db = database.db;
  await db.execute(sql`delete from account_events`);
  await db.execute(sql`delete from social_accounts`);
  const clock = createManualClock(new Date("2026-03-02T08:00:00Z"));
  const sandbox = await startTikTokSandbox({ port: 0, now: () => clock.now().getTime() });
  const logger = logs.logger;
  const deploy = (keys: string) => {
    const cipher: TokenCipher = createTokenCipher(parseKeyring(keys));
    const oauth = new ConnectionService({ db, cipher, clock, logger, provider: new TikTokProvider(sandboxTikTokConfig(sandbox.url)) });
    const refresher = new TokenRefresher({ db, cipher, providers: registryOf(oauth.provider), clock, logger, random: () => 0.5 });
    const sweeper = new RefreshSweeper({ db, refresher, clock, logger, batchSize: 50, idleMs: 5 });
    const budget = { consume: async () => ({ ok: true as const }) };
    const api = new TikTokApiClient({ db, cipher, refresher, budget: budget as never, apiBaseUrl: sandbox.url, clock, logger });
    const accounts = new AccountService({ db, cipher, providers: registryOf(oauth.provider), refresher, clock, logger });
    return { cipher, refresher, sweeper, api, accounts };
  };
  return {
    db,
    clock,
    sandbox,
    deploy,
    rows: (): Promise<SocialAccountRow[]> => db.select().from(socialAccounts).orderBy(asc(socialAccounts.platformUserId)),
    async row(id: string): Promise<SocialAccountRow | undefined> {
      const [row] = await db.select().from(socialAccounts).where(eq(socialAccounts.id, id));
      return row;
    },
    close: () => sandbox.close(),
  };
}

describe(`a key missing from TOKEN_ENCRYPTION_KEYS (${usingRealPostgres ? "PostgreSQL" : "PGlite"})`, () => {
  let database: DatabaseHandle;
  let world: Awaited<ReturnType<typeof startWorld>> | undefined;
  let logs: LogCapture;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });
  afterEach(async () => {
    await world?.close();
    world = undefined;
    logs?.restore();
  });

  it("S58: the sweeper marks accounts whose tokens a dropped key encrypted UNREADABLE (tokens kept, no TikTok call), retries them slowly, and they come back ACTIVE and refresh as usual once the key is back", async () => {
    logs = captureLogs("debug");
    resetMetricsForTests();
    const w = (world = await startWorld(database, logs));
    const k1 = keyLine("k1");
    const k2 = keyLine("k2");
    // Connected under k1; 20 hours later their proactive refresh (at 80 % of 24 h) is due.
    const first = w.deploy(k1);
    const { accounts } = await seedConnectedAccounts({ db: w.db, cipher: first.cipher, sandbox: w.sandbox, count: 3, now: w.clock.now() });
    const before = await w.rows();
    w.clock.advance(20 * 60 * MINUTE);

    // A deploy drops k1 by mistake.
    const broken = w.deploy(k2);
    const tokenCallsBefore = w.sandbox.control.counters().tokenByGrant.refresh_token;
    expect((await broken.sweeper.sweepOnce()).outcomes).toEqual({ unreadable: 3 });
    for (const [i, row] of (await w.rows()).entries()) {
      expect(row).toMatchObject({ status: "UNREADABLE", statusReason: "token_unreadable", refreshLeaseId: null, refreshFailures: 0 });
      // The ciphertexts are kept exactly as they were: nothing a restored key could not open.
      expect(row.accessToken).toBe(before[i]!.accessToken);
      expect(row.refreshToken).toBe(before[i]!.refreshToken);
      expect(row.nextRefreshAt!.getTime()).toBe(w.clock.now().getTime() + 10 * MINUTE);
    }
    expect(w.sandbox.control.counters().tokenByGrant.refresh_token).toBe(tokenCallsBefore);
    const unreadable = logs.entries().filter((e) => e.event === "token.unreadable");
    expect(unreadable).toHaveLength(3);
    expect(unreadable[0]).toMatchObject({ level: 40, field: "refresh_token", keyId: "k1", source: "refresh" });
    expect(metricValue("sf_token_unreadable_total", { field: "refresh_token", source: "refresh" })).toBe(3);
    expect(logs.text()).not.toContain(k1.split(":")[1]!);
    expect(logs.text()).not.toContain(k2.split(":")[1]!);

    // Retried on a slow schedule: nothing before ten minutes, then the rows are claimed again
    // (and, the key still missing, stay UNREADABLE).
    w.clock.advance(5 * MINUTE);
    expect((await broken.sweeper.sweepOnce()).claimed).toBe(0);
    w.clock.advance(5 * MINUTE);
    expect((await broken.sweeper.sweepOnce()).outcomes).toEqual({ unreadable: 3 });
    for (const row of await w.rows()) expect(row.status).toBe("UNREADABLE");

    // The key is put back (k2 stays primary). The next retry finds the tokens readable: the
    // accounts are ACTIVE again and, being due, refreshed at once like any other.
    const fixed = w.deploy(`${k2},${k1}`);
    w.clock.advance(10 * MINUTE);
    expect((await fixed.sweeper.sweepOnce()).outcomes).toEqual({ refreshed: 3 });
    expect(w.sandbox.control.counters().tokenByGrant.refresh_token).toBe(tokenCallsBefore + 3);
    for (const [i, row] of (await w.rows()).entries()) {
      expect(row).toMatchObject({ status: "ACTIVE", statusReason: null, refreshLeaseId: null });
      const refreshToken = fixed.cipher.decrypt(row.refreshToken!, tokenAad(row.id, "refresh_token"));
      expect(w.sandbox.control.tokenState(refreshToken)).toBe("valid");
      expect(w.sandbox.control.tokenState(accounts.find((a) => a.id === row.id)!.refreshToken)).toBe("rotated");
      expect(fixed.cipher.keyIdOf(row.accessToken)).toBe("k2");
      expect(row.accessToken).not.toBe(before[i]!.accessToken);
    }
  });

  it("S58: an account not yet due comes back ACTIVE with its usual schedule and no TikTok call; data calls on an UNREADABLE account answer 503 account_unavailable, not reconnect", async () => {
    logs = captureLogs("debug");
    resetMetricsForTests();
    const w = (world = await startWorld(database, logs));
    const k1 = keyLine("k1");
    const first = w.deploy(k1);
    const { accounts } = await seedConnectedAccounts({ db: w.db, cipher: first.cipher, sandbox: w.sandbox, count: 1, now: w.clock.now() });
    const id = accounts[0]!.id;
    const seeded = (await w.row(id))!;

    // The data plane of a deploy without k1: the call fails with a fixed 503 and the account is
    // marked UNREADABLE (its tokens kept) instead of asking the user to reconnect.
    const broken = w.deploy(keyLine("k2"));
    const failure = await broken.api.listVideos((await accountsOf(w.db, seeded.userId).get(id))!).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TikTokCallError);
    expect((failure as TikTokCallError).code).toBe("account_unavailable");
    expect((failure as TikTokCallError).httpStatus).toBe(503);
    expect(await w.row(id)).toMatchObject({ status: "UNREADABLE", statusReason: "token_unreadable", accessToken: seeded.accessToken, refreshToken: seeded.refreshToken });
    expect(logs.entries().find((e) => e.event === "token.unreadable")).toMatchObject({ field: "access_token", keyId: "k1", source: "api" });
    expect(metricValue("sf_token_unreadable_total", { field: "access_token", source: "api" })).toBe(1);
    // A second call is refused before any decryption or TikTok call.
    const again = await broken.api.listVideos((await accountsOf(w.db, seeded.userId).get(id))!).catch((e: unknown) => e);
    expect((again as TikTokCallError).code).toBe("account_unavailable");

    // Key back: the retry restores the account with its usual schedule, no token call.
    const fixed = w.deploy(`${keyLine("k2")},${k1}`);
    const tokenCalls = w.sandbox.control.counters().token;
    w.clock.advance(10 * MINUTE);
    expect((await fixed.sweeper.sweepOnce()).outcomes).toEqual({ fresh: 1 });
    expect(w.sandbox.control.counters().token).toBe(tokenCalls);
    const restored = (await w.row(id))!;
    expect(restored).toMatchObject({ status: "ACTIVE", statusReason: null, refreshLeaseId: null, accessToken: seeded.accessToken });
    expect(restored.nextRefreshAt).toEqual(seeded.nextRefreshAt);
    expect(await fixed.api.listVideos((await accountsOf(w.db, seeded.userId).get(id))!)).toMatchObject({ videos: expect.any(Array) });
  });

  it("S58: disconnecting an UNREADABLE account deletes it (revoke impossible, recorded as revoke_failed)", async () => {
    logs = captureLogs("debug");
    const w = (world = await startWorld(database, logs));
    const first = w.deploy(keyLine("k1"));
    const { accounts, userId } = await seedConnectedAccounts({ db: w.db, cipher: first.cipher, sandbox: w.sandbox, count: 1, now: w.clock.now(), dueAt: w.clock.now() });
    const broken = w.deploy(keyLine("k2"));
    await broken.sweeper.sweepOnce();
    expect((await w.row(accounts[0]!.id))!.status).toBe("UNREADABLE");
    const revokes = w.sandbox.control.counters().revoke;
    expect(await broken.accounts.disconnectForUser(userId, accounts[0]!.id)).toEqual({ ok: true, revoked: false, alreadyDisconnected: false });
    expect(await w.row(accounts[0]!.id)).toBeUndefined();
    expect(w.sandbox.control.counters().revoke).toBe(revokes);
    const events = await w.db.select().from(accountEvents).where(eq(accountEvents.accountId, accounts[0]!.id)).orderBy(asc(accountEvents.id));
    expect(events.map((e) => e.kind)).toEqual(["unreadable", "revoke_failed", "disconnected"]);
    expect(logs.entries().filter((e) => e.event === "token.unreadable").map((e) => e.source)).toContain("disconnect");
  });

  it("S58: an instance without the key marking the account UNREADABLE while a healthy instance's refresh is at TikTok never costs the rotated pair", async () => {
    logs = captureLogs("debug");
    const w = (world = await startWorld(database, logs));
    const k1 = keyLine("k1");
    const first = w.deploy(k1);
    const { accounts, userId } = await seedConnectedAccounts({ db: w.db, cipher: first.cipher, sandbox: w.sandbox, count: 1, now: w.clock.now() });
    const id = accounts[0]!.id;
    const healthy = w.deploy(k1);
    const broken = w.deploy(keyLine("k2"));

    w.sandbox.control.queueFault("token", { kind: "delay", ms: 400 });
    const refreshing = healthy.refresher.refresh(id, { force: true });
    await new Promise((r) => setTimeout(r, 100));
    const failure = await broken.api.listVideos((await accountsOf(w.db, userId).get(id))!).catch((e: unknown) => e);
    expect((failure as TikTokCallError).code).toBe("account_unavailable");
    expect((await w.row(id))!.status).toBe("UNREADABLE");

    expect(await refreshing).toMatchObject({ status: "refreshed" });
    const row = (await w.row(id))!;
    expect(row).toMatchObject({ status: "ACTIVE", statusReason: null, refreshLeaseId: null });
    expect(w.sandbox.control.tokenState(healthy.cipher.decrypt(row.refreshToken!, tokenAad(id, "refresh_token")))).toBe("valid");
    expect(w.sandbox.control.tokenState(accounts[0]!.refreshToken)).toBe("rotated");
  });
});
