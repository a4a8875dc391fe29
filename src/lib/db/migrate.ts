import path from "node:path";
import type { DatabaseHandle } from "./client";

/** Committed SQL migrations (drizzle-kit generate), applied at start-up and by tests. */
export const migrationsFolder = path.join(process.cwd(), "drizzle");

/** The advisory lock key start-up migrations are serialised on. */
export const MIGRATION_LOCK_KEY = 727274001;

export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  if (handle.kind === "postgres") {
    const { migrate } = await import("drizzle-orm/node-postgres/migrator");
    // Serialise concurrent start-ups (several instances) on one advisory lock, held by one
    // connection for the whole migration (the migrator itself uses other pooled connections).
    if (!handle.withSessionLock) throw new Error("a PostgreSQL handle without withSessionLock cannot migrate safely");
    await handle.withSessionLock(MIGRATION_LOCK_KEY, () => migrate(handle.db as never, { migrationsFolder }));
    return;
  }
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  await migrate(handle.db as never, { migrationsFolder });
}
