import path from "node:path";
import type { DatabaseHandle } from "./client";

/** Committed SQL migrations (drizzle-kit generate), applied at start-up and by tests. */
export const migrationsFolder = path.join(process.cwd(), "drizzle");

export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  if (handle.kind === "postgres") {
    const { migrate } = await import("drizzle-orm/node-postgres/migrator");
    // Serialise concurrent start-ups (several instances) on one advisory lock.
    await handle.db.execute("select pg_advisory_lock(727274001)");
    try {
      await migrate(handle.db as never, { migrationsFolder });
    } finally {
      await handle.db.execute("select pg_advisory_unlock(727274001)");
    }
    return;
  }
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  await migrate(handle.db as never, { migrationsFolder });
}
