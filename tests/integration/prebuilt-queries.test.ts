import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { socialAccounts } from "@/lib/db/schema";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { prebuilt, UNNAMED } from "@/lib/db/prebuilt";
import type { DatabaseHandle } from "@/lib/db/client";
import { accountRowAt } from "../helpers/account-row";
import { ensureSeedUser } from "../helpers/seed-accounts";
import { createTestDatabase, usingRealPostgres } from "../helpers/test-db";

describe("prebuilt queries (src/lib/db/prebuilt.ts)", () => {
  let handle: DatabaseHandle;
  const now = new Date();
  const alice = `alice-${randomUUID()}`;
  const bob = `bob-${randomUUID()}`;
  const alicesTikTok = randomUUID();
  const alicesChannel = randomUUID();
  const bobsTikTok = randomUUID();

  beforeAll(async () => {
    handle = await createTestDatabase();
    for (const user of [alice, bob]) await ensureSeedUser(handle.db, user, now);
    await handle.db.insert(socialAccounts).values([
      accountRowAt(now, { id: alicesTikTok, userId: alice, platformUserId: `o-${alicesTikTok}` }),
      accountRowAt(now, { id: alicesChannel, userId: alice, platform: "YOUTUBE", platformUserId: `UC-${alicesChannel}` }),
      accountRowAt(now, { id: bobsTikTok, userId: bob, platformUserId: `o-${bobsTikTok}` }),
    ]);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("is built once per database handle, and each handle gets its own", () => {
    const builds: unknown[] = [];
    const query = prebuilt((db) => {
      builds.push(db);
      return { db };
    });
    const other = {} as typeof handle.db;
    expect(query(handle.db)).toBe(query(handle.db));
    expect(query(other).db).toBe(other);
    expect(builds).toEqual([handle.db, other]);
  });

  it("an owner's account read and list run with each call's own values: never another user's row, only the asked network's", async () => {
    // Interleaved, so a value left over from the previous call would show.
    for (let round = 0; round < 3; round++) {
      expect((await accountsOf(handle.db, alice).get(alicesTikTok))?.row.userId).toBe(alice);
      expect(await accountsOf(handle.db, bob).get(alicesTikTok)).toBeUndefined();
      expect((await accountsOf(handle.db, bob).get(bobsTikTok))?.id).toBe(bobsTikTok);
      expect(await accountsOf(handle.db, alice).get(bobsTikTok)).toBeUndefined();
      expect((await accountsOf(handle.db, alice, "YOUTUBE").get(alicesChannel))?.row.platform).toBe("YOUTUBE");
      expect(await accountsOf(handle.db, alice, "YOUTUBE").get(alicesTikTok)).toBeUndefined();
      expect((await accountsOf(handle.db, alice, "TIKTOK").get(alicesTikTok))?.id).toBe(alicesTikTok);
      expect(await accountsOf(handle.db, bob, "TIKTOK").get(alicesTikTok)).toBeUndefined();
    }
    // The owner's list: only theirs, only the asked network's.
    const ids = async (user: string, platform?: "TIKTOK" | "YOUTUBE") => (await accountsOf(handle.db, user, platform).list()).map((a) => a.id).sort();
    for (let round = 0; round < 2; round++) {
      expect(await ids(alice)).toEqual([alicesTikTok, alicesChannel].sort());
      expect(await ids(bob)).toEqual([bobsTikTok]);
      expect(await ids(alice, "YOUTUBE")).toEqual([alicesChannel]);
      expect(await ids(bob, "YOUTUBE")).toEqual([]);
      expect(await ids(alice, "TIKTOK")).toEqual([alicesTikTok]);
    }
    // The row comes back typed as drizzle maps it (dates as Date, arrays as arrays).
    const row = (await accountsOf(handle.db, alice).get(alicesTikTok))!.row;
    expect(row.tokenExpiry).toBeInstanceOf(Date);
    expect(row.scopes).toEqual(["user.info.basic", "video.list", "video.upload"]);
  });

  it.runIf(usingRealPostgres)("sends no named prepared statement: a transaction-pooling proxy can carry every one", async () => {
    expect(UNNAMED).toBe("");
    const connection = pg.Connection.prototype as unknown as { parse: (query: { name?: string; text: string }) => void };
    const original = connection.parse;
    const names: (string | undefined)[] = [];
    connection.parse = function (this: unknown, query) {
      names.push(query.name);
      return original.call(this, query);
    };
    try {
      await accountsOf(handle.db, alice).get(alicesTikTok);
      await accountsOf(handle.db, alice, "TIKTOK").get(alicesTikTok);
    } finally {
      connection.parse = original;
    }
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(names.filter(Boolean)).toEqual([]);
  });
});
