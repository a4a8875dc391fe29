import { registryOf } from "../helpers/security-kit";
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { asc, eq, isNotNull, or, sql } from "drizzle-orm";
import { startTikTokSandbox, type SandboxOptions } from "../../sandbox/tiktok/index";
import { createManualClock } from "@/lib/clock";
import { createTokenCipher, parseKeyring, type TokenCipher } from "@/lib/crypto";
import type { DatabaseHandle } from "@/lib/db/client";
import { accountEvents, socialAccounts, type SocialAccountRow } from "@/lib/db/schema";
import { createLogger } from "@/lib/log/logger";
import { saveConnection, tokenAad } from "@/lib/connections/account-store";
import { TikTokProvider } from "@/lib/providers/tiktok/oauth-provider";
import { ConnectionService } from "@/lib/connections/connection-service";
import { TokenRefresher } from "@/lib/connections/token-refresher";
import { RefreshSweeper } from "@/lib/connections/refresh-sweeper";
import { createTestDatabase, usingRealPostgres } from "../helpers/test-db";
import { sandboxTikTokConfig, seedConnectedAccounts } from "../helpers/seed-accounts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * One fake clock shared by the sandbox (token lifetimes, expiry checks) and SocialFlow's
 * refresher and sweeper, so a week passes in seconds and both sides agree on what "expired" means.
 */
async function startWorld(
  database: DatabaseHandle,
  sandboxOptions: Partial<SandboxOptions> = {},
  sweeperOptions: { batchSize?: number; concurrency?: number } = {},
) {
  const db = database.db;
  // One database per file (creating one is the slow part); each test starts from empty tables.
  await db.execute(sql`delete from account_events`);
  await db.execute(sql`delete from social_accounts`);
  const clock = createManualClock(new Date("2026-03-02T08:00:00Z"));
  const sandbox = await startTikTokSandbox({ port: 0, accessTokenTtlSec: 7200, now: () => clock.now().getTime(), ...sandboxOptions });
  const cipher: TokenCipher = createTokenCipher(parseKeyring(`k1:${randomBytes(32).toString("base64")}`));
  const logger = createLogger({ level: "silent" });
  const oauth = new ConnectionService({ db, cipher, clock, logger, provider: new TikTokProvider(sandboxTikTokConfig(sandbox.url)) });
  const refresher = new TokenRefresher({ db, cipher, providers: registryOf(oauth.provider), clock, logger, random: () => 0.5 });
  const batchSize = sweeperOptions.batchSize ?? 4;
  const sweeper = new RefreshSweeper({ db, refresher, clock, logger, batchSize, concurrency: sweeperOptions.concurrency ?? 3, idleMs: 5 });

  const world = {
    clock,
    sandbox,
    db,
    cipher,
    oauth,
    refresher,
    sweeper,
    /**
     * Sweeps until nothing is left due. The clock stands still meanwhile, so a sweep that
     * claimed less than a full batch has taken everything that was due.
     */
    async drain(): Promise<number> {
      let total = 0;
      for (let i = 0; i < 1000; i++) {
        const { claimed } = await sweeper.sweepOnce();
        total += claimed;
        if (claimed < batchSize) return total;
      }
      throw new Error("sweeper never ran dry");
    },
    rows: (): Promise<SocialAccountRow[]> => db.select().from(socialAccounts).orderBy(asc(socialAccounts.platformUserId)),
    async row(id: string): Promise<SocialAccountRow> {
      const [row] = await db.select().from(socialAccounts).where(eq(socialAccounts.id, id));
      if (!row) throw new Error(`no account ${id}`);
      return row;
    },
    accessToken: (row: SocialAccountRow) => cipher.decrypt(row.accessToken, tokenAad(row.id, "access_token")),
    refreshToken: (row: SocialAccountRow) => cipher.decrypt(row.refreshToken!, tokenAad(row.id, "refresh_token")),
    async eventCounts(): Promise<Record<string, number>> {
      const result = await db.execute(sql`select kind, count(*)::int as n from account_events group by kind`);
      const rows = (result as unknown as { rows: { kind: string; n: number }[] }).rows;
      return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
    },
    async close() {
      await sweeper.stop();
      await sandbox.close();
    },
  };
  return world;
}

type World = Awaited<ReturnType<typeof startWorld>>;

describe(`token lifecycle with a fake clock (${usingRealPostgres ? "PostgreSQL" : "PGlite"})`, () => {
  let database: DatabaseHandle;
  let world: World | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it(
    "with 2-hour tokens and a fake clock advanced through a week, every account stays ACTIVE and usable and each refresh token is used exactly once",
    async () => {
      const w = (world = await startWorld(database));
      // Ten accounts connected seven minutes apart, so their refreshes fall on different sweeps.
      for (let i = 0; i < 10; i++) {
        await seedConnectedAccounts({ db: w.db, cipher: w.cipher, sandbox: w.sandbox, count: 1, userId: "week-user", now: w.clock.now(), openIdPrefix: `week-${i}` });
        w.clock.advance(7 * MINUTE);
      }
      const start = w.clock.now().getTime();
      let steps = 0;
      while (w.clock.now().getTime() - start < 7 * DAY) {
        // 20-minute steps: less than the 24 minutes between the 80 % mark (96 min) and expiry.
        w.clock.advance(20 * MINUTE);
        steps++;
        await w.drain();
        // Usable at every step, not just at the end: each stored access token works at TikTok now.
        const rows = await w.rows();
        for (const row of rows) {
          expect(row.status, `${row.platformUserId} at step ${steps}`).toBe("ACTIVE");
          expect(w.sandbox.control.accessTokenState(w.accessToken(row)), `${row.platformUserId} at step ${steps}`).toBe("valid");
        }
      }
      expect(steps).toBe(7 * 24 * 3);

      const rows = await w.rows();
      expect(rows).toHaveLength(10);
      for (const row of rows) {
        expect(row).toMatchObject({ status: "ACTIVE", statusReason: null, refreshFailures: 0, refreshLeaseId: null, refreshLeaseUntil: null });
        expect(row.nextRefreshAt!.getTime()).toBeGreaterThan(w.clock.now().getTime());
        expect(w.sandbox.control.tokenState(w.refreshToken(row))).toBe("valid");
        expect(w.sandbox.control.accessTokenState(w.accessToken(row))).toBe("valid");
      }

      const events = await w.eventCounts();
      expect(events).toEqual({ refreshed: expect.any(Number) });
      // 2-hour tokens over a week need at least 84 refreshes per account to stay valid throughout;
      // at 80 % of life on 20-minute steps each account refreshes every 100 minutes.
      expect(events.refreshed).toBeGreaterThanOrEqual(10 * 84);
      expect(events.refreshed).toBeLessThanOrEqual(10 * Math.ceil((7 * DAY + 7 * 10 * MINUTE) / (100 * MINUTE)));
      // Each refresh call TikTok saw was one SocialFlow stored: no token was sent twice, none was lost.
      expect(w.sandbox.control.counters().tokenByGrant.refresh_token).toBe(events.refreshed);
      const tokenCalls = w.sandbox.control.requestLog().filter((e) => e.endpoint === "token");
      expect(tokenCalls).toHaveLength(events.refreshed!);
      expect(tokenCalls.every((e) => e.status === 200)).toBe(true);
    },
    60_000,
  );

  it("a failing TikTok (token endpoint 503) keeps accounts ACTIVE with backoff, and they recover once it answers", async () => {
    const w = (world = await startWorld(database));
    const seeded = await seedConnectedAccounts({ db: w.db, cipher: w.cipher, sandbox: w.sandbox, count: 6, now: w.clock.now() });
    w.sandbox.control.queueFault("token", { kind: "status", status: 503 }, 9);

    w.clock.advance(100 * MINUTE); // all six are due (refresh at 96 min)
    expect(await w.drain()).toBe(6);
    for (const row of await w.rows()) {
      expect(row).toMatchObject({ status: "ACTIVE", statusReason: "provider_unreachable", refreshFailures: 1, refreshLeaseId: null });
      // Backoff: retried later, not on the next sweep.
      expect(row.nextRefreshAt!.getTime()).toBeGreaterThan(w.clock.now().getTime());
    }
    expect(await w.drain()).toBe(0);

    // Minute by minute until every account has recovered; the token (2 h) never lapses meanwhile.
    for (let minute = 0; minute < 20; minute++) {
      w.clock.advance(MINUTE);
      await w.drain();
      for (const row of await w.rows()) expect(row.status).toBe("ACTIVE");
    }
    const rows = await w.rows();
    const failuresSeen = await w.eventCounts();
    expect(failuresSeen).toEqual({ refresh_failed: 9, refreshed: 6 });
    for (const row of rows) {
      expect(row).toMatchObject({ status: "ACTIVE", statusReason: null, refreshFailures: 0 });
      expect(w.sandbox.control.tokenState(w.refreshToken(row))).toBe("valid");
      expect(w.sandbox.control.accessTokenState(w.accessToken(row))).toBe("valid");
    }
    // The refresh tokens held during the outage were never burnt: the six originals were rotated once each.
    for (const account of seeded.accounts) expect(w.sandbox.control.tokenState(account.refreshToken)).toBe("rotated");
    expect(w.sandbox.control.counters().tokenByGrant.refresh_token).toBe(9 + 6);
    // The second failure of an account waited longer than its first (exponential backoff).
    const failed = await w.db
      .select({ accountId: accountEvents.accountId, detail: accountEvents.detail, at: accountEvents.createdAt })
      .from(accountEvents)
      .where(eq(accountEvents.kind, "refresh_failed"))
      .orderBy(asc(accountEvents.id));
    const twice = failed.filter((e) => e.detail?.failures === 2);
    expect(twice.length).toBe(3);
    for (const second of twice) {
      const first = failed.find((e) => e.accountId === second.accountId && e.detail?.failures === 1)!;
      expect(second.at.getTime() - first.at.getTime()).toBeGreaterThanOrEqual(30_000 * 0.5);
    }
  });

  it("an account whose refresh token has ended (expired family or revoked at TikTok) is marked EXPIRED and no longer scheduled", async () => {
    const w = (world = await startWorld(database, { refreshTokenTtlSec: 3 * 3600 }));
    const ending = await seedConnectedAccounts({ db: w.db, cipher: w.cipher, sandbox: w.sandbox, count: 1, userId: "u", now: w.clock.now(), openIdPrefix: "ending" });
    w.sandbox.control.setOptions({ refreshTokenTtlSec: 365 * 86_400 });
    const revoked = await seedConnectedAccounts({ db: w.db, cipher: w.cipher, sandbox: w.sandbox, count: 1, userId: "u", now: w.clock.now(), openIdPrefix: "revoked" });
    const healthy = await seedConnectedAccounts({ db: w.db, cipher: w.cipher, sandbox: w.sandbox, count: 1, userId: "u", now: w.clock.now(), openIdPrefix: "healthy" });
    const endingId = ending.accounts[0]!.id;
    const revokedId = revoked.accounts[0]!.id;
    const healthyId = healthy.accounts[0]!.id;

    // Refresh 1 at 100 min works for all three (the short family still has 80 min left).
    w.clock.advance(100 * MINUTE);
    expect(await w.drain()).toBe(3);
    expect((await w.row(endingId)).status).toBe("ACTIVE");
    // The user removes the app at TikTok.
    w.sandbox.control.revokeGrant(revoked.accounts[0]!.openId);

    // Refresh 2 at 200 min: the short family ended at 180 min; the revoked grant is gone.
    w.clock.advance(100 * MINUTE);
    expect(await w.drain()).toBe(3);
    for (const id of [endingId, revokedId]) {
      const row = await w.row(id);
      expect(row).toMatchObject({ status: "EXPIRED", statusReason: "refresh_token_invalid", nextRefreshAt: null, refreshLeaseId: null });
    }
    expect((await w.row(healthyId)).status).toBe("ACTIVE");
    const callsWhenExpired = w.sandbox.control.counters().tokenByGrant.refresh_token;
    expect(callsWhenExpired).toBe(6);

    // A day later: only the healthy account was ever sent to TikTok again.
    for (let step = 0; step < 24 * 6; step++) {
      w.clock.advance(10 * MINUTE);
      await w.drain();
    }
    const healthyRefreshes = (await w.db.select().from(accountEvents).where(eq(accountEvents.accountId, healthyId))).filter((e) => e.kind === "refreshed").length;
    expect(healthyRefreshes).toBeGreaterThanOrEqual(2 + 14);
    expect(w.sandbox.control.counters().tokenByGrant.refresh_token).toBe(callsWhenExpired + healthyRefreshes - 2);
    for (const id of [endingId, revokedId]) {
      const row = await w.row(id);
      expect(row.status).toBe("EXPIRED");
      const kinds = (await w.db.select().from(accountEvents).where(eq(accountEvents.accountId, id))).map((e) => e.kind).sort();
      expect(kinds).toEqual(["expired", "refreshed"]);
    }
    expect((await w.row(healthyId))).toMatchObject({ status: "ACTIVE", refreshFailures: 0 });
  });

  it("a refresh token nearing its end: the sweeper asks for a reconnect once, 14 days ahead, while refreshes go on; a reconnect clears it", async () => {
    const w = (world = await startWorld(database, { accessTokenTtlSec: 86_400, refreshTokenTtlSec: 20 * 86_400 }));
    const ending = await seedConnectedAccounts({ db: w.db, cipher: w.cipher, sandbox: w.sandbox, count: 1, userId: "u", now: w.clock.now(), openIdPrefix: "ending" });
    w.sandbox.control.setOptions({ refreshTokenTtlSec: 365 * 86_400 });
    const lasting = await seedConnectedAccounts({ db: w.db, cipher: w.cipher, sandbox: w.sandbox, count: 1, userId: "u", now: w.clock.now(), openIdPrefix: "lasting" });
    const endingId = ending.accounts[0]!.id;
    const lastingId = lasting.accounts[0]!.id;
    const flagsSeen: Date[] = [];
    for (let hours = 0; hours <= 8 * 24; hours += 4) {
      await w.drain();
      flagsSeen.push(...Array.from({ length: await w.sweeper.requestReconnects() }, () => w.clock.now()));
      w.clock.advance(4 * HOUR);
    }
    // Asked exactly once, at the first check with less than 14 of its 20 days left (day 6 + 4 h).
    expect(flagsSeen).toEqual([new Date(new Date("2026-03-02T08:00:00Z").getTime() + 6 * DAY + 4 * HOUR)]);
    const endingRow = await w.row(endingId);
    expect(endingRow).toMatchObject({ status: "ACTIVE", reconnectRequestedAt: flagsSeen[0] });
    expect((await w.row(lastingId)).reconnectRequestedAt).toBeNull();
    expect(w.sandbox.control.accessTokenState(w.accessToken(endingRow))).toBe("valid");
    const events = await w.db.select().from(accountEvents).where(eq(accountEvents.kind, "reconnect_requested"));
    expect(events).toEqual([expect.objectContaining({ accountId: endingId, detail: { refreshTokenExpiresAt: "2026-03-22T08:00:00Z" } })]);
    expect((await w.eventCounts()).refreshed).toBeGreaterThanOrEqual(2 * 8);

    // The user reconnects: a new grant with a full lifetime, and the request is cleared.
    const issued = w.sandbox.control.issueTokensDirectly({ openId: ending.accounts[0]!.openId, scopes: ["user.info.basic"] });
    await saveConnection(w.db, w.cipher, {
      userId: "u",
      platform: "TIKTOK",
      tokens: { accessToken: issued.access_token, refreshToken: issued.refresh_token, expiresIn: issued.expires_in, refreshExpiresIn: issued.refresh_expires_in, scopes: ["user.info.basic"], providerUserId: issued.open_id },
      profile: { providerUserId: issued.open_id, unionId: undefined, displayName: "Ending", avatarUrl: undefined },
      scopes: ["user.info.basic"],
      now: w.clock.now(),
    });
    expect((await w.row(endingId)).reconnectRequestedAt).toBeNull();
    expect(await w.sweeper.requestReconnects()).toBe(0);
  });

  it("the running sweeper looks for ending refresh tokens on its own, every 10 minutes of its clock", async () => {
    const w = (world = await startWorld(database, { refreshTokenTtlSec: 3 * 86_400 }));
    const first = await seedConnectedAccounts({ db: w.db, cipher: w.cipher, sandbox: w.sandbox, count: 1, userId: "u", now: w.clock.now(), openIdPrefix: "soon" });
    const flagged = async (id: string) => (await w.row(id)).reconnectRequestedAt !== null;
    const waitUntilFlagged = async (id: string) => {
      const deadline = Date.now() + 10_000;
      while (!(await flagged(id))) {
        if (Date.now() > deadline) throw new Error("the sweeper never asked for a reconnect");
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      w.sweeper.start();
      await waitUntilFlagged(first.accounts[0]!.id); // the first pass checks at once
      const later = await seedConnectedAccounts({ db: w.db, cipher: w.cipher, sandbox: w.sandbox, count: 1, userId: "u", now: w.clock.now(), openIdPrefix: "later" });
      // Many idle loops (5 ms each) go by, but the clock has not moved: no second check yet.
      await new Promise((r) => setTimeout(r, 300));
      expect(await flagged(later.accounts[0]!.id)).toBe(false);
      w.clock.advance(10 * MINUTE);
      await waitUntilFlagged(later.accounts[0]!.id);
    } finally {
      await w.sweeper.stop();
    }
  });

  it("a batch that outlives its lease: rows whose lease has run short are left for the next claim, never refreshed by two workers", async () => {
    const w = (world = await startWorld(database));
    await seedConnectedAccounts({ db: w.db, cipher: w.cipher, sandbox: w.sandbox, count: 10, now: w.clock.now(), dueAt: w.clock.now() });
    const logger = createLogger({ level: "silent" });
    const leaseEnds = w.clock.now().getTime() + 60_000;

    // Worker B: another process's sweeper on the same database and clock.
    const refresherB = new TokenRefresher({ db: w.db, cipher: w.cipher, providers: registryOf(w.oauth.provider), clock: w.clock, logger });
    const sweeperB = new RefreshSweeper({ db: w.db, refresher: refresherB, clock: w.clock, logger, batchSize: 10, concurrency: 4 });
    // Worker A: one refresh at a time against a TikTok that takes 9 s per token call (inside
    // the 10 s timeout), so its batch of 10 needs 90 s of a 60 s lease. If A is still calling
    // TikTok when its lease has lapsed, B claims the same rows and sweeps them right then.
    let bSwept = false;
    const slowFetch = async (input: string, init: RequestInit) => {
      w.clock.advance(9_000);
      const response = await fetch(input, init);
      if (!bSwept && w.clock.now().getTime() > leaseEnds) {
        bSwept = true;
        await sweeperB.sweepOnce();
      }
      return response;
    };
    const oauthA = new ConnectionService({ db: w.db, cipher: w.cipher, clock: w.clock, logger, provider: new TikTokProvider(sandboxTikTokConfig(w.sandbox.url), { fetch: slowFetch }) });
    const refresherA = new TokenRefresher({ db: w.db, cipher: w.cipher, providers: registryOf(oauthA.provider), clock: w.clock, logger });
    const sweeperA = new RefreshSweeper({ db: w.db, refresher: refresherA, clock: w.clock, logger, batchSize: 10, concurrency: 1 });

    const first = await sweeperA.sweepOnce();
    expect(first.claimed).toBe(10);
    expect(first.outcomes.deferred).toBeGreaterThan(0);
    expect((first.outcomes.refreshed ?? 0) + (first.outcomes.deferred ?? 0)).toBe(10);
    // Whatever A left, B (or A again) picks up on the next claims.
    while ((await sweeperB.sweepOnce()).claimed > 0);

    const rows = await w.rows();
    for (const row of rows) {
      expect(row, row.platformUserId).toMatchObject({ status: "ACTIVE", refreshFailures: 0, refreshLeaseId: null });
      expect(w.sandbox.control.tokenState(w.refreshToken(row))).toBe("valid");
    }
    expect(await w.eventCounts()).toEqual({ refreshed: 10 });
    // Each refresh token went to TikTok exactly once: no worker raced another.
    expect(w.sandbox.control.counters().tokenByGrant.refresh_token).toBe(10);
    expect(w.sandbox.control.counters().revoke).toBe(0);
  });

  it("graceful stop: start() then stop() finishes the claimed batch and leaves no row with a lease", async () => {
    const w = (world = await startWorld(database, {}, { batchSize: 10, concurrency: 5 }));
    await seedConnectedAccounts({ db: w.db, cipher: w.cipher, sandbox: w.sandbox, count: 60, now: w.clock.now(), dueAt: w.clock.now() });
    // Slow TikTok: each refresh takes 40 ms, so stop() arrives while a batch is in flight.
    w.sandbox.control.queueFault("token", { kind: "delay", ms: 40 }, 60);

    w.sweeper.start();
    const deadline = Date.now() + 10_000;
    while (w.sandbox.control.counters().tokenByGrant.refresh_token < 12) {
      if (Date.now() > deadline) throw new Error("sweeper made no progress");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await w.sweeper.stop();

    const leased = await w.db.select().from(socialAccounts).where(or(isNotNull(socialAccounts.refreshLeaseId), isNotNull(socialAccounts.refreshLeaseUntil)));
    expect(leased).toEqual([]);
    const refreshed = (await w.eventCounts()).refreshed ?? 0;
    // Whole batches only: every claimed account was refreshed, none half-done, and not all 60.
    expect(refreshed % 10).toBe(0);
    expect(refreshed).toBeGreaterThanOrEqual(20);
    expect(refreshed).toBeLessThan(60);
    const calls = w.sandbox.control.counters().tokenByGrant.refresh_token;
    expect(calls).toBe(refreshed);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(w.sandbox.control.counters().tokenByGrant.refresh_token).toBe(calls);

    // The rest are not stuck behind a lease: the next sweep picks them straight up.
    w.sandbox.control.clearFaults();
    expect(await w.drain()).toBe(60 - refreshed);
    for (const row of await w.rows()) expect(w.sandbox.control.tokenState(w.refreshToken(row))).toBe("valid");
  });
});
