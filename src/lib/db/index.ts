import { getConfig } from "@/lib/config/config";
import { openDatabase, type Database, type DatabaseHandle } from "./client";
import { migrateDatabase } from "./migrate";

export type { Database, DatabaseHandle } from "./client";

const holder = globalThis as unknown as { __socialflowDb?: Promise<DatabaseHandle> };

/**
 * The process-wide database, opened and migrated on first use (never at import time:
 * `next build` imports modules). One instance per process via `globalThis`, which also
 * survives Next's dev-mode module reloading.
 */
export function getDatabaseHandle(): Promise<DatabaseHandle> {
  holder.__socialflowDb ??= (async () => {
    const handle = await openDatabase({ url: getConfig().databaseUrl, pgliteDir: getConfig().pgliteDataDir });
    await migrateDatabase(handle);
    return handle;
  })().catch((error: unknown) => {
    holder.__socialflowDb = undefined;
    throw error;
  });
  return holder.__socialflowDb;
}

export async function getDb(): Promise<Database> {
  return (await getDatabaseHandle()).db;
}

/** Tests install their own database. */
export function setDatabaseForTests(handle: DatabaseHandle | undefined): void {
  holder.__socialflowDb = handle ? Promise.resolve(handle) : undefined;
}
