/**
 * Start-up migrations are serialised on a session-level advisory lock (src/lib/db/migrate.ts).
 * The lock and its unlock must run on one connection: through the pool they could land on two,
 * the unlock would miss, and the lock would stay held by an idle pooled connection — the next
 * instance's start-up then waits on it. Real PostgreSQL only (PGlite is one connection).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import type { DatabaseHandle } from "@/lib/db/client";
import { MIGRATION_LOCK_KEY, migrateDatabase } from "@/lib/db/migrate";
import { createTestDatabase, usingRealPostgres } from "../helpers/test-db";

const heldLocks = async (handle: DatabaseHandle): Promise<number> => {
  const result = (await handle.db.execute(
    sql`select count(*)::int as n from pg_locks where locktype = 'advisory' and granted and objid = ${MIGRATION_LOCK_KEY}
        and database = (select oid from pg_database where datname = current_database())`,
  )) as unknown as { rows: { n: number }[] };
  return result.rows[0]!.n;
};

describe.skipIf(!usingRealPostgres)("migration lock (PostgreSQL)", () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(() => handle.close());

  it("is held by one connection while migrating and released once every start-up is done", async () => {
    // Several start-ups at once on one pool while other work keeps checking connections out and
    // in, so a lock and an unlock sent through the pool would land on different connections.
    let busy = true;
    const noise = Array.from({ length: 6 }, async () => {
      while (busy) await handle.db.execute(sql`select pg_sleep(0.002)`);
    });
    try {
      await Promise.all(Array.from({ length: 4 }, () => migrateDatabase(handle)));
    } finally {
      busy = false;
      await Promise.all(noise);
    }
    expect(await heldLocks(handle)).toBe(0);
  });

  it("withSessionLock holds the lock for exactly the work and releases it when the work throws", async () => {
    const during = await handle.withSessionLock!(MIGRATION_LOCK_KEY, () => heldLocks(handle));
    expect(during).toBe(1);
    await expect(handle.withSessionLock!(MIGRATION_LOCK_KEY, () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await heldLocks(handle)).toBe(0);
  });
});
