import { getConfig } from "@/lib/config/config";
import { openDatabase, type Database, type DatabaseHandle } from "./client";
import { migrateDatabase } from "./migrate";
import { processPromise, setProcessSingleton } from "@/lib/process-registry";

export type { Database, DatabaseHandle } from "./client";

declare module "@/lib/process-registry" {
  interface ProcessSlots {
    db: Promise<DatabaseHandle>;
  }
}

/**
 * The process-wide database, opened and migrated on first use (never at import time:
 * `next build` imports modules). One instance per process through the process registry,
 * which also survives Next's dev-mode module reloading; a failed open is retried next time.
 */
export function getDatabaseHandle(): Promise<DatabaseHandle> {
  return processPromise("db", async () => {
    const config = getConfig();
    const handle = await openDatabase({ url: config.databaseUrl, pgliteDir: config.pgliteDataDir, preparedStatements: config.databasePreparedStatements });
    await migrateDatabase(handle);
    return handle;
  });
}

export async function getDb(): Promise<Database> {
  return (await getDatabaseHandle()).db;
}

/** Tests install their own database. */
export function setDatabaseForTests(handle: DatabaseHandle | undefined): void {
  setProcessSingleton("db", handle ? Promise.resolve(handle) : undefined);
}
