import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import type { Database } from "@/lib/db/client";
import { socialAccounts } from "@/lib/db/schema";
import { tokenAad } from "@/lib/oauth/account-store";
import { acquireRefreshLease } from "@/lib/oauth/refresh-lease";
import { RotatedPairStore, type RotatedPair } from "@/lib/oauth/rotated-pair-store";
import { TokenRefresher } from "@/lib/oauth/token-refresher";
import type { OAuthTokens } from "@/lib/oauth/types";
import { startAppHarness, type AppHarness } from "../helpers/app-harness";
import { usingRealPostgres } from "../helpers/test-db";
import { accountRow, counterMark, directOAuthService, eventKinds, seedAccount, storedTokens } from "../helpers/security-kit";

/** The database with its `execute` calls counted, and optionally failed. */
function countingDb(db: Database) {
  const stats = { executes: 0, failNext: 0 };
  const wrapped = new Proxy(db, {
    get(target, key, receiver) {
      if (key !== "execute") return Reflect.get(target, key, receiver);
      return (...args: Parameters<Database["execute"]>) => {
        stats.executes++;
        if (stats.failNext > 0) {
          stats.failNext--;
          return Promise.reject(new Error("connection terminated"));
        }
        return target.execute(...args);
      };
    },
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

  it("a failed statement rejects every pair of its group, writes nothing, and the store keeps working", async () => {
    const accounts = await Promise.all(Array.from({ length: 3 }, (_, i) => seedAccount(h, userId, openId(`fail-${i}`))));
    const pairs = await Promise.all(accounts.map((a) => leasedPair(a.id)));
    const { db, stats } = countingDb(h.db);
    const store = new RotatedPairStore(db);
    stats.failNext = 1;
    const first = await Promise.allSettled(pairs.map((p) => store.store(p)));
    // The lone first write failed; the two that joined the next group were stored.
    expect(first.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    expect(await eventKinds(h.db, pairs[0]!.accountId)).toEqual(["connected"]);
    expect(await store.store(pairs[0]!)).toBe(true);
    expect(await eventKinds(h.db, pairs[0]!.accountId)).toEqual(["connected", "refreshed"]);
  });

  describe("S31/S34: a refresh that outlived its lease", () => {
    const refresherWith = (refreshAccessToken: (refreshToken: string) => Promise<OAuthTokens>, revoked: string[] = []) => {
      const real = directOAuthService(h);
      return new TokenRefresher({
        db: h.db,
        cipher: getTokenCipher(),
        oauth: {
          refreshAccessToken,
          revokeQuietly: async (token, reason) => {
            revoked.push(token);
            return real.revokeQuietly(token, reason);
          },
        },
      });
    };

    it("S31: the lease lapsed and another worker claimed the row during TikTok's answer → the rotated pair is still stored, and the other worker's stale call ends 'fresh', not EXPIRED", async () => {
      const account = await seedAccount(h, userId, openId("lapsed"));
      const real = directOAuthService(h);
      let stale: Awaited<ReturnType<typeof acquireRefreshLease>>;
      const revoked: string[] = [];
      const slow = refresherWith(async (refreshToken) => {
        const tokens = await real.refreshAccessToken(refreshToken);
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
      const other = new TokenRefresher({ db: h.db, cipher: getTokenCipher(), oauth: real });
      expect((await other.refreshLeased(stale!.row, stale!.leaseId)).status).toBe("fresh");
      expect(mark.refreshes()).toBe(2);
      expect(await accountRow(h.db, account.id)).toMatchObject({ status: "ACTIVE", refreshLeaseId: null });
      expect((await storedTokens(h.db, account.id)).refreshToken).toBe(stored.refreshToken);
      expect(await eventKinds(h.db, account.id)).toEqual(["connected", "refreshed"]);
    });

    it("S34: the user reconnected while TikTok answered the refresh → the reconnect's grant stays, the refresh's grant is revoked, and the caller is told 'fresh', not 'not found'", async () => {
      const tag = openId("reconnect-race");
      const account = await seedAccount(h, userId, tag);
      const real = directOAuthService(h);
      let fresh: OAuthTokens | undefined;
      let reconnected: Awaited<ReturnType<typeof seedAccount>> | undefined;
      const revoked: string[] = [];
      const slow = refresherWith(async (refreshToken) => {
        fresh = await real.refreshAccessToken(refreshToken);
        reconnected = await seedAccount(h, userId, tag); // a new grant saved over the same row
        return fresh;
      }, revoked);
      const outcome = await slow.refresh(account.id, { force: true });
      expect(reconnected!).toMatchObject({ id: account.id });
      const row = await accountRow(h.db, account.id);
      expect(outcome).toEqual({ status: "fresh", tokenExpiry: row!.tokenExpiry });
      expect(revoked).toEqual([fresh!.accessToken]);
      const stored = await storedTokens(h.db, account.id);
      expect(stored).toMatchObject({ accessToken: reconnected!.accessToken, refreshToken: reconnected!.refreshToken });
      expect(h.sandbox.control.tokenState(stored.refreshToken!)).toBe("valid");
      expect(await eventKinds(h.db, account.id)).toEqual(["connected", "reconnected"]);
    });

    it("S34: the lease lapsed, another worker claimed the row, and the account was disconnected → the pair is not stored and the new grant is revoked", async () => {
      const account = await seedAccount(h, userId, openId("gone"));
      const real = directOAuthService(h);
      let fresh: OAuthTokens | undefined;
      const revoked: string[] = [];
      const slow = refresherWith(async (refreshToken) => {
        fresh = await real.refreshAccessToken(refreshToken);
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
