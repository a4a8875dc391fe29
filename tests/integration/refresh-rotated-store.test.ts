import { fakeProvider, registryOf } from "../helpers/security-kit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import type { Database } from "@/lib/db/client";
import { socialAccounts } from "@/lib/db/schema";
import { tokenAad } from "@/lib/connections/account-store";
import { acquireRefreshLease } from "@/lib/connections/refresh-lease";
import { RotatedPairStore, RotatedPairUnwritable, RotatedPairWriteTimeout, type RotatedPair } from "@/lib/connections/rotated-pair-store";
import { TokenRefresher } from "@/lib/connections/token-refresher";
import { RefreshSweeper } from "@/lib/connections/refresh-sweeper";
import { MIN_REFRESH_SPACING_MS } from "@/lib/connections/token-schedule";
import type { OAuthTokens } from "@/lib/connections/types";
import { startAppHarness, type AppHarness } from "../helpers/app-harness";
import { usingRealPostgres } from "../helpers/test-db";
import { hookStatements } from "../helpers/statement-hooks";
import { accountRow, counterMark, directOAuthService, eventKinds, seedAccount, storedTokens } from "../helpers/security-kit";

/**
 * The database with the store's writes (one statement per group) counted, and the next ones
 * optionally failed: refused before they reach the database, run and then reported as failed (a
 * commit whose answer was lost), or never answered (a hung connection).
 */
function countingDb(db: Database) {
  const stats = { executes: 0, failNext: 0, failAfterNext: 0, hangNext: 0 };
  const wrapped = hookStatements(db, (text, run) => {
    if (!/^\s*with input as/.test(text)) return run();
    stats.executes++;
    if (stats.failNext > 0) {
      stats.failNext--;
      return Promise.reject(new Error("connection terminated"));
    }
    if (stats.hangNext > 0) {
      stats.hangNext--;
      return new Promise(() => {});
    }
    if (stats.failAfterNext > 0) {
      stats.failAfterNext--;
      return run().then(() => Promise.reject(new Error("connection terminated after commit")));
    }
    return run();
  });
  return { db: wrapped, stats };
}

describe(`rotated pair store: group commit and its guard (${usingRealPostgres ? "PostgreSQL" : "PGlite"})`, { timeout: 60_000 }, () => {
  let h: AppHarness;
  let userId: string;
  beforeAll(async () => {
    h = await startAppHarness();
    userId = (await h.signUp("grace")).id;
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });
  afterEach(() => {
    h.sandbox.control.clearFaults();
    h.install();
  });

  const openId = (tag: string) => `${tag}-${randomBytes(4).toString("hex")}`;

  /** A refresher whose provider is the sandbox's, its refresh answers changed by `edit` before the refresher reads them. */
  function refresherAnswering(edit: (answer: OAuthTokens) => OAuthTokens): TokenRefresher {
    const real = directOAuthService(h);
    return new TokenRefresher({
      db: h.db,
      cipher: getTokenCipher(),
      providers: registryOf(fakeProvider(real.provider, { refreshAccessToken: async (token) => edit(await real.provider.refresh(token)) })),
    });
  }

  /** A pair for `accountId` as the refresher builds it, under the lease it holds. */
  async function leasedPair(accountId: string, overrides: Partial<RotatedPair> = {}): Promise<RotatedPair> {
    const lease = await acquireRefreshLease(h.db, accountId, new Date());
    if (!lease) throw new Error("lease not free");
    const cipher = getTokenCipher();
    const now = new Date();
    return {
      accountId,
      leaseId: lease.leaseId,
      previousRefreshToken: lease.row.refreshToken!,
      rotated: true,
      accessToken: cipher.encrypt(`act.new-${accountId}`, tokenAad(accountId, "access_token")),
      refreshToken: cipher.encrypt(`rft.new-${accountId}`, tokenAad(accountId, "refresh_token")),
      refreshTokenExpiry: new Date(now.getTime() + 86_400_000 * 180),
      scopes: ["user.info.basic", "video.list", "video.upload"],
      tokenExpiry: new Date(now.getTime() + 7_200_000),
      nextRefreshAt: new Date(now.getTime() + 5_760_000),
      refreshedAt: now,
      ...overrides,
    };
  }

  it("writes concurrent pairs in one statement per group: the first alone, everything that arrived meanwhile together", async () => {
    const accounts = await Promise.all(Array.from({ length: 40 }, (_, i) => seedAccount(h, userId, openId(`group-${i}`))));
    const pairs = await Promise.all(accounts.map((a) => leasedPair(a.id)));
    const { db, stats } = countingDb(h.db);
    const store = new RotatedPairStore(db);
    const results = await Promise.all(pairs.map((p) => store.store(p)));
    expect(results).toEqual(pairs.map(() => true));
    expect(stats.executes).toBe(2);

    for (const pair of pairs) {
      const row = await accountRow(h.db, pair.accountId);
      expect(row).toMatchObject({
        accessToken: pair.accessToken,
        refreshToken: pair.refreshToken,
        scopes: pair.scopes,
        tokenExpiry: pair.tokenExpiry,
        nextRefreshAt: pair.nextRefreshAt,
        lastRefreshedAt: pair.refreshedAt,
        refreshTokenExpiry: pair.refreshTokenExpiry,
        status: "ACTIVE",
        refreshFailures: 0,
        refreshLeaseId: null,
        refreshLeaseUntil: null,
      });
      expect(await eventKinds(h.db, pair.accountId)).toEqual(["connected", "refreshed"]);
    }
  });

  it("caps a group at its size: 5 pairs with groups of 2 → 1 + 2 + 2 statements", async () => {
    const accounts = await Promise.all(Array.from({ length: 5 }, (_, i) => seedAccount(h, userId, openId(`cap-${i}`))));
    const pairs = await Promise.all(accounts.map((a) => leasedPair(a.id)));
    const { db, stats } = countingDb(h.db);
    const store = new RotatedPairStore(db, 2);
    expect((await Promise.all(pairs.map((p) => store.store(p)))).every(Boolean)).toBe(true);
    expect(stats.executes).toBe(3);
  });

  it("never puts two pairs of one account in one statement: the second waits for the next group", async () => {
    const account = await seedAccount(h, userId, openId("twice"));
    const other = await seedAccount(h, userId, openId("twice-other"));
    const firstPair = await leasedPair(other.id);
    const older = await leasedPair(account.id);
    const newer = { ...older, accessToken: "newer-access-ciphertext", refreshToken: "newer-refresh-ciphertext", previousRefreshToken: older.refreshToken! };
    const { db, stats } = countingDb(h.db);
    const store = new RotatedPairStore(db);
    const results = await Promise.all([store.store(firstPair), store.store(older), store.store(newer)]);
    // Lone first write; then `older` alone (its account's second pair held back); then `newer`.
    expect(stats.executes).toBe(3);
    expect(results).toEqual([true, true, true]);
    expect((await accountRow(h.db, account.id))!.accessToken).toBe("newer-access-ciphertext");
  });

  it("answers per row: a pair for a deleted account or one overwritten since is refused, the rest of its group stored", async () => {
    const [kept, deleted, overwritten] = await Promise.all(["kept", "deleted", "overwritten"].map((t) => seedAccount(h, userId, openId(t))));
    const pairs = await Promise.all([kept!, deleted!, overwritten!].map((a) => leasedPair(a.id)));
    await h.db.delete(socialAccounts).where(eq(socialAccounts.id, deleted!.id));
    // Another writer stored a newer pair and took the row's lease.
    await h.db
      .update(socialAccounts)
      .set({ refreshToken: "newer-ciphertext", refreshLeaseId: randomUUID() })
      .where(eq(socialAccounts.id, overwritten!.id));

    const store = new RotatedPairStore(h.db);
    expect(await Promise.all(pairs.map((p) => store.store(p)))).toEqual([true, false, false]);
    expect((await accountRow(h.db, overwritten!.id))!.refreshToken).toBe("newer-ciphertext");
    expect(await eventKinds(h.db, overwritten!.id)).toEqual(["connected"]);
    expect(await eventKinds(h.db, deleted!.id)).toEqual(["connected"]);
    expect(await accountRow(h.db, deleted!.id)).toBeUndefined();
  });

  it("keeps the stored refresh token, its expiry and the scopes when TikTok's answer carried none", async () => {
    const account = await seedAccount(h, userId, openId("partial"));
    const before = await accountRow(h.db, account.id);
    const pair = await leasedPair(account.id, { refreshToken: null, refreshTokenExpiry: null, scopes: null });
    expect(await new RotatedPairStore(h.db).store(pair)).toBe(true);
    const after = await accountRow(h.db, account.id);
    expect(after).toMatchObject({
      accessToken: pair.accessToken,
      refreshToken: before!.refreshToken,
      refreshTokenExpiry: before!.refreshTokenExpiry,
      scopes: before!.scopes,
    });
  });

  it("stores an empty scope list as empty, not as 'unchanged'", async () => {
    const account = await seedAccount(h, userId, openId("noscope"));
    expect(await new RotatedPairStore(h.db).store(await leasedPair(account.id, { scopes: [] }))).toBe(true);
    expect((await accountRow(h.db, account.id))!.scopes).toEqual([]);
  });

  it("a failed statement rejects every pair of its group and writes none of them; the store keeps working", async () => {
    const accounts = await Promise.all(Array.from({ length: 4 }, (_, i) => seedAccount(h, userId, openId(`fail-${i}`))));
    const pairs = await Promise.all(accounts.map((a) => leasedPair(a.id)));
    const { db, stats } = countingDb(h.db);
    const store = new RotatedPairStore(db);
    const first = store.store(pairs[0]!); // written alone…
    stats.failNext = 1; // …and the group of the three that arrive meanwhile fails
    const rest = await Promise.allSettled(pairs.slice(1).map((p) => store.store(p)));
    expect(await first).toBe(true);
    expect(rest.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(stats.executes).toBe(2);
    for (const pair of pairs.slice(1)) {
      expect(await eventKinds(h.db, pair.accountId)).toEqual(["connected"]);
      expect((await accountRow(h.db, pair.accountId))!.accessToken).not.toBe(pair.accessToken);
    }
    expect(await Promise.all(pairs.slice(1).map((p) => store.store(p)))).toEqual([true, true, true]);
    for (const pair of pairs) expect(await eventKinds(h.db, pair.accountId)).toEqual(["connected", "refreshed"]);
  });

  const unwritable: Record<string, () => Date> = {
    "an Invalid Date": () => new Date(Date.now() + 9e12 * 1000),
    "a date past year 9999, finite but no timestamp PostgreSQL reads": () => new Date(Date.UTC(10_000, 0, 1)),
  };
  it.each(Object.keys(unwritable))("S66: a pair with %s is refused to its own caller alone, before it joins a group: the pairs grouped with it are stored", async (label) => {
    const badDate = unwritable[label]!();
    const accounts = await Promise.all(["inflight", "poisoned", "innocent-1", "innocent-2"].map((t) => seedAccount(h, userId, openId(t))));
    const [inflight, poisoned, ...innocent] = await Promise.all(accounts.map((a) => leasedPair(a.id)));
    const { db, stats } = countingDb(h.db);
    const store = new RotatedPairStore(db);
    const first = store.store(inflight!); // a write in flight: the next ones are grouped
    const bad = store.store({ ...poisoned!, refreshTokenExpiry: badDate });
    const badTokenExpiry = store.store({ ...poisoned!, tokenExpiry: badDate, refreshTokenExpiry: null });
    const rest = innocent.map((p) => store.store(p));
    await expect(bad).rejects.toBeInstanceOf(RotatedPairUnwritable);
    await expect(badTokenExpiry).rejects.toBeInstanceOf(RotatedPairUnwritable);
    expect(await first).toBe(true);
    expect(await Promise.all(rest)).toEqual([true, true]);
    expect(stats.executes).toBe(2);
    for (const pair of innocent) expect(await eventKinds(h.db, pair!.accountId)).toEqual(["connected", "refreshed"]);
    // The refused pair wrote nothing; its row keeps its tokens and its lease (its caller records the failure).
    expect(await eventKinds(h.db, poisoned!.accountId)).toEqual(["connected"]);
    expect((await accountRow(h.db, poisoned!.accountId))!).toMatchObject({ refreshLeaseId: poisoned!.leaseId });
    expect((await accountRow(h.db, poisoned!.accountId))!.accessToken).not.toBe(poisoned!.accessToken);
  });

  it("S66: a provider answer whose lifetime makes no date, from a provider schema without the cap, is a recorded refresh failure: lease released, nothing stored, no retries", async () => {
    const account = await seedAccount(h, userId, openId("absurd"));
    const before = (await accountRow(h.db, account.id))!;
    const refresher = refresherAnswering((answer) => ({ ...answer, refreshExpiresIn: 9e12 }));
    const started = Date.now();
    const outcome = await refresher.refresh(account.id, { force: true });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(outcome).toMatchObject({ status: "failed", transient: false });
    expect(await accountRow(h.db, account.id)).toMatchObject({
      status: "ACTIVE",
      statusReason: "provider_malformed_response",
      refreshFailures: 1,
      refreshLeaseId: null,
      accessToken: before.accessToken,
    });
    expect(await eventKinds(h.db, account.id)).toEqual(["connected", "refresh_failed"]);
  });

  it("S75: a refresh answered with a one-second lifetime is stored, but the sweeper does not refresh the account again for a minute", async () => {
    const account = await seedAccount(h, userId, openId("brief"));
    const refresher = refresherAnswering((answer) => ({ ...answer, expiresIn: 1 }));
    expect(await refresher.refresh(account.id, { force: true })).toMatchObject({ status: "refreshed" });
    const row = (await accountRow(h.db, account.id))!;
    expect(row.tokenExpiry.getTime() - row.lastRefreshedAt!.getTime()).toBe(1_000);
    expect(row.nextRefreshAt!.getTime() - row.lastRefreshedAt!.getTime()).toBe(MIN_REFRESH_SPACING_MS);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // its token has lapsed
    const sweeper = new RefreshSweeper({ db: h.db, refresher, batchSize: 100, concurrency: 2 });
    try {
      for (let pass = 0; pass < 3; pass++) await sweeper.sweepOnce();
    } finally {
      await sweeper.stop();
    }
    // Other tests' accounts may be swept; this one is not refreshed again.
    expect((await accountRow(h.db, account.id))!.lastRefreshedAt).toEqual(row.lastRefreshedAt);
    expect(await eventKinds(h.db, account.id)).toEqual(["connected", "refreshed"]);
  });

  it("S71: a refresh answer naming another TikTok account (open_id) is a recorded refresh failure: nothing of it stored, the row keeps its own tokens, lease released", async () => {
    const account = await seedAccount(h, userId, openId("foreign"));
    const before = (await accountRow(h.db, account.id))!;
    const refresher = refresherAnswering((answer) => ({ ...answer, providerUserId: "sbx-someone-else" }));
    const outcome = await refresher.refresh(account.id, { force: true });
    expect(outcome).toMatchObject({ status: "failed", transient: false });
    expect(await accountRow(h.db, account.id)).toMatchObject({
      platformUserId: before.platformUserId,
      statusReason: "provider_malformed_response",
      refreshFailures: 1,
      refreshLeaseId: null,
      accessToken: before.accessToken,
      refreshToken: before.refreshToken,
    });
    expect(await eventKinds(h.db, account.id)).toEqual(["connected", "refresh_failed"]);
  });

  it("a write that never answers is given up after the timeout, and later pairs are not held behind it", async () => {
    const [stuck, next] = await Promise.all(["stuck", "next"].map((t) => seedAccount(h, userId, openId(t))));
    const { db, stats } = countingDb(h.db);
    const store = new RotatedPairStore(db, 256, 200);
    stats.hangNext = 1;
    const started = Date.now();
    await expect(store.store(await leasedPair(stuck!.id))).rejects.toThrow(RotatedPairWriteTimeout);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(await store.store(await leasedPair(next!.id))).toBe(true);
  });

  it("a pair from an answer without a new refresh token is not stored once the lease is lost (the old token was still usable by others)", async () => {
    const account = await seedAccount(h, userId, openId("no-rotation"));
    const pair = await leasedPair(account.id, { refreshToken: null });
    await h.db.update(socialAccounts).set({ refreshLeaseId: randomUUID() }).where(eq(socialAccounts.id, account.id));
    expect(await new RotatedPairStore(h.db).store(pair)).toBe(false);
    // With its lease it is stored, the old refresh token kept (S33).
    await h.db.update(socialAccounts).set({ refreshLeaseId: null, refreshLeaseUntil: null }).where(eq(socialAccounts.id, account.id));
    const again = await leasedPair(account.id, { refreshToken: null });
    expect(await new RotatedPairStore(h.db).store(again)).toBe(true);
  });

  it("clears a reconnect request when the new refresh token lives past the warning window, keeps it otherwise", async () => {
    const [extended, ending] = await Promise.all(["extended", "ending"].map((t) => seedAccount(h, userId, openId(t))));
    const requested = new Date();
    for (const a of [extended!, ending!]) {
      await h.db.update(socialAccounts).set({ reconnectRequestedAt: requested }).where(eq(socialAccounts.id, a.id));
    }
    const store = new RotatedPairStore(h.db);
    const inTenDays = new Date(Date.now() + 10 * 86_400_000);
    expect(await store.store(await leasedPair(extended!.id))).toBe(true); // 180 days left
    expect(await store.store(await leasedPair(ending!.id, { refreshTokenExpiry: inTenDays }))).toBe(true);
    expect((await accountRow(h.db, extended!.id))!.reconnectRequestedAt).toBeNull();
    expect((await accountRow(h.db, ending!.id))!.reconnectRequestedAt).toEqual(requested);
  });

  describe("S31/S34: a refresh that outlived its lease", () => {
    const refresherWith = (refreshAccessToken: (refreshToken: string) => Promise<OAuthTokens>, revoked: string[] = []) => {
      const real = directOAuthService(h);
      return new TokenRefresher({
        db: h.db,
        cipher: getTokenCipher(),
        providers: registryOf(
          fakeProvider(real.provider, {
            refreshAccessToken,
            revokeQuietly: async (token: string, reason: string) => {
              revoked.push(token);
              return real.revokeQuietly({ accessToken: token }, reason);
            },
          }),
        ),
      });
    };

    it("S31: the lease lapsed and another worker claimed the row during TikTok's answer → the rotated pair is still stored, and the other worker's stale call ends 'fresh', not EXPIRED", async () => {
      const account = await seedAccount(h, userId, openId("lapsed"));
      const real = directOAuthService(h);
      let stale: Awaited<ReturnType<typeof acquireRefreshLease>>;
      const revoked: string[] = [];
      const slow = refresherWith(async (refreshToken) => {
        const tokens = await real.provider.refresh(refreshToken);
        // While the answer travels, the lease lapses and another worker claims the row.
        await h.db.update(socialAccounts).set({ refreshLeaseUntil: new Date(Date.now() - 1) }).where(eq(socialAccounts.id, account.id));
        stale = await acquireRefreshLease(h.db, account.id, new Date());
        return tokens;
      }, revoked);
      const mark = counterMark(h);
      const outcome = await slow.refresh(account.id, { force: true });
      expect(outcome.status).toBe("refreshed");
      expect(revoked).toEqual([]);
      const stored = await storedTokens(h.db, account.id);
      expect(h.sandbox.control.tokenState(stored.refreshToken!)).toBe("valid");

      // The other worker now calls TikTok with the row it claimed: the old, rotated token.
      const other = new TokenRefresher({ db: h.db, cipher: getTokenCipher(), providers: registryOf(real.provider) });
      expect((await other.refreshLeased(stale!.row, stale!.leaseId)).status).toBe("fresh");
      expect(mark.refreshes()).toBe(2);
      expect(await accountRow(h.db, account.id)).toMatchObject({ status: "ACTIVE", refreshLeaseId: null });
      expect((await storedTokens(h.db, account.id)).refreshToken).toBe(stored.refreshToken);
      expect(await eventKinds(h.db, account.id)).toEqual(["connected", "refreshed"]);
    });

    it("S34: the user reconnected while TikTok answered the refresh → the reconnect's grant is kept and NOT revoked (TikTok's revoke would end it too), and the caller is told 'fresh'", async () => {
      const tag = openId("reconnect-race");
      const account = await seedAccount(h, userId, tag);
      const real = directOAuthService(h);
      let fresh: OAuthTokens | undefined;
      let reconnected: Awaited<ReturnType<typeof seedAccount>> | undefined;
      const revoked: string[] = [];
      const slow = refresherWith(async (refreshToken) => {
        fresh = await real.provider.refresh(refreshToken);
        reconnected = await seedAccount(h, userId, tag); // a new grant saved over the same row
        return fresh;
      }, revoked);
      const outcome = await slow.refresh(account.id, { force: true });
      expect(reconnected!).toMatchObject({ id: account.id });
      const row = await accountRow(h.db, account.id);
      expect(outcome).toEqual({ status: "fresh", tokenExpiry: row!.tokenExpiry });
      expect(revoked).toEqual([]);
      const stored = await storedTokens(h.db, account.id);
      expect(stored).toMatchObject({ accessToken: reconnected!.accessToken, refreshToken: reconnected!.refreshToken });
      expect(h.sandbox.control.tokenState(stored.refreshToken!)).toBe("valid");
      expect(h.sandbox.control.accessTokenState(stored.accessToken)).toBe("valid");
      expect(await eventKinds(h.db, account.id)).toEqual(["connected", "reconnected"]);
    });

    it("S34: disconnected and connected again (a new row) while TikTok answered → nothing stored on the old id, nothing revoked, the new connection works", async () => {
      const tag = openId("reconnect-new-row");
      const account = await seedAccount(h, userId, tag);
      const real = directOAuthService(h);
      let again: Awaited<ReturnType<typeof seedAccount>> | undefined;
      const revoked: string[] = [];
      const slow = refresherWith(async (refreshToken) => {
        const tokens = await real.provider.refresh(refreshToken);
        await h.db.delete(socialAccounts).where(eq(socialAccounts.id, account.id));
        again = await seedAccount(h, userId, tag);
        return tokens;
      }, revoked);
      expect(await slow.refresh(account.id, { force: true })).toEqual({ status: "not_found" });
      expect(again!.id).not.toBe(account.id);
      expect(revoked).toEqual([]);
      expect(h.sandbox.control.tokenState((await storedTokens(h.db, again!.id)).refreshToken!)).toBe("valid");
    });

    it("a write that committed but whose answer was lost: the retry finds the pair already stored → 'refreshed', one event, nothing revoked", async () => {
      const account = await seedAccount(h, userId, openId("lost-answer"));
      const { db, stats } = countingDb(h.db);
      const real = directOAuthService(h);
      const revoked: string[] = [];
      const refresher = new TokenRefresher({
        db,
        cipher: getTokenCipher(),
        storeRetryDelaysMs: [10],
        providers: registryOf(fakeProvider(real.provider, { refreshAccessToken: (t) => real.provider.refresh(t), revokeQuietly: async (token: string) => (revoked.push(token), true) })),
      });
      stats.failAfterNext = 1;
      const outcome = await refresher.refresh(account.id, { force: true });
      const row = await accountRow(h.db, account.id);
      expect(outcome).toEqual({ status: "refreshed", tokenExpiry: row!.tokenExpiry });
      expect(revoked).toEqual([]);
      expect(h.sandbox.control.tokenState((await storedTokens(h.db, account.id)).refreshToken!)).toBe("valid");
      expect(await eventKinds(h.db, account.id)).toEqual(["connected", "refreshed"]);
    });

    it("S34: the lease lapsed, another worker claimed the row, and the account was disconnected → the pair is not stored and the new grant is revoked", async () => {
      const account = await seedAccount(h, userId, openId("gone"));
      const real = directOAuthService(h);
      let fresh: OAuthTokens | undefined;
      const revoked: string[] = [];
      const slow = refresherWith(async (refreshToken) => {
        fresh = await real.provider.refresh(refreshToken);
        await h.db.update(socialAccounts).set({ refreshLeaseUntil: new Date(Date.now() - 1) }).where(eq(socialAccounts.id, account.id));
        await acquireRefreshLease(h.db, account.id, new Date());
        await h.db.delete(socialAccounts).where(eq(socialAccounts.id, account.id));
        return fresh;
      }, revoked);
      expect(await slow.refresh(account.id, { force: true })).toEqual({ status: "not_found" });
      expect(revoked).toEqual([fresh!.accessToken]);
      expect(h.sandbox.control.accessTokenState(fresh!.accessToken)).toBe("revoked");
      expect(await accountRow(h.db, account.id)).toBeUndefined();
    });
  });
});
