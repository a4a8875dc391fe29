import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, usingRealPostgres } from "../helpers/test-db";
import type { DatabaseHandle } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";

describe(`database (${usingRealPostgres ? "PostgreSQL" : "PGlite"})`, () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  it("applies the committed migrations, creating every table", async () => {
    const result = await handle.db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    const names = (result as unknown as { rows: { table_name: string }[] }).rows.map((r) => r.table_name);
    expect(names).toEqual(
      expect.arrayContaining(["account", "account_events", "oauth_states", "session", "social_accounts", "user", "verification"]),
    );
    expect(handle.kind).toBe(usingRealPostgres ? "postgres" : "pglite");
  });

  it("migrating twice is a no-op", async () => {
    await expect(migrateDatabase(handle)).resolves.toBeUndefined();
  });
});
