import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { socialAccounts } from "@/lib/db/schema";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { prebuilt, sendStatementsNamed } from "@/lib/db/prebuilt";
import { openDatabase, type DatabaseHandle } from "@/lib/db/client";
import { accountRowAt } from "../helpers/account-row";
import { ensureSeedUser } from "../helpers/seed-accounts";
import { createTestDatabase, usingRealPostgres } from "../helpers/test-db";

describe("prebuilt queries (src/lib/db/prebuilt.ts)", () => {
  let handle: DatabaseHandle & { url?: string };
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
    const query = prebuilt("test_built_once", (db) => {
      builds.push(db);
      return { toSQL: () => ({ sql: "select 1" }), prepare: (name: string) => ({ db, name }) };
    });
    const other = {} as typeof handle.db;
    expect(query(handle.db)).toBe(query(handle.db));
    expect(query(other).db).toBe(other);
    expect(builds).toEqual([handle.db, other]);
  });

  it("names a statement after its label and its text: one name never stands for two texts", () => {
    const pool = {} as typeof handle.db; // as openDatabase registers a node-postgres pool
    sendStatementsNamed(pool);
    const nameOf = (label: string, text: string) =>
      prebuilt(label, () => ({ toSQL: () => ({ sql: text }), prepare: (name: string) => name }))(pool);
    const name = nameOf("test_named", "select 1");
    expect(name).toMatch(/^sf_test_named_[0-9a-f]{16}$/);
    expect(Buffer.byteLength(nameOf("a".repeat(40), "select 1"))).toBeLessThanOrEqual(63); // PostgreSQL's NAMEDATALEN - 1
    expect(nameOf("test_named", "select 1")).toBe(name);
    // The same label over another text (a query edited while the pool lives, in dev): another name.
    expect(nameOf("test_named", "select 2")).not.toBe(name);
    expect(() => nameOf("Not A Label", "select 1")).toThrow(/label/);
    expect(() => nameOf("a".repeat(41), "select 1")).toThrow(/label/);
  });

  it("names nothing on a handle not opened for named statements: PGlite's, a transaction's, DATABASE_PREPARED_STATEMENTS=off", () => {
    const other = {} as typeof handle.db;
    expect(prebuilt("test_unregistered", () => ({ toSQL: () => ({ sql: "select 1" }), prepare: (name: string) => name }))(other)).toBe("");
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

  /** The name of every Parse message node-postgres sends while `work` runs ("" when unnamed). */
  async function parsesDuring(work: () => Promise<unknown>): Promise<string[]> {
    const connection = pg.Connection.prototype as unknown as { parse: (query: { name?: string; text: string }) => void };
    const original = connection.parse;
    const names: string[] = [];
    connection.parse = function (this: unknown, query) {
      names.push(query.name ?? "");
      return original.call(this, query);
    };
    try {
      await work();
    } finally {
      connection.parse = original;
    }
    return names;
  }

  it.runIf(usingRealPostgres)("prepares a hot statement once per connection: later runs send only its values", async () => {
    const single = await openDatabase({ url: handle.url!, max: 1 });
    try {
      const names = await parsesDuring(async () => {
        for (let i = 0; i < 5; i++) {
          expect((await accountsOf(single.db, alice).get(alicesTikTok))?.id).toBe(alicesTikTok);
          expect(await accountsOf(single.db, bob).get(alicesTikTok)).toBeUndefined();
        }
      });
      expect(names).toHaveLength(1);
      expect(names[0]).toMatch(/^sf_owned_row_[0-9a-f]{16}$/);
    } finally {
      await single.close();
    }
  });

  it.runIf(usingRealPostgres)("with DATABASE_PREPARED_STATEMENTS=off sends every statement unnamed, for a pooler that cannot carry named ones", async () => {
    const unnamed = await openDatabase({ url: handle.url!, max: 1, preparedStatements: false });
    try {
      const names = await parsesDuring(async () => {
        for (let i = 0; i < 3; i++) {
          expect((await accountsOf(unnamed.db, alice).get(alicesTikTok))?.id).toBe(alicesTikTok);
          expect(await accountsOf(unnamed.db, alice, "TIKTOK").list()).toHaveLength(1);
        }
      });
      expect(names).toHaveLength(6);
      expect(names.filter(Boolean)).toEqual([]);
    } finally {
      await unnamed.close();
    }
  });
});
