import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { sendStatementsNamed } from "./prebuilt";
import * as schema from "./schema";

export type Schema = typeof schema;
/** The one database type services see: PGlite and node-postgres both satisfy it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseHandle {
  db: Database;
  kind: "pglite" | "postgres";
  /**
   * Runs `work` while one dedicated connection holds a session-level advisory lock, and unlocks on
   * that same connection. Through the pool a lock and its unlock could land on two different
   * connections: the unlock then misses and the lock stays held by an idle pooled connection.
   * Absent for PGlite (one connection, one process: nothing to serialise).
   */
  withSessionLock?<T>(key: number, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** `postgres://…` for a real server; otherwise a PGlite data directory or `memory://`. */
  url?: string;
  pgliteDir?: string;
  /** Pool size for node-postgres. */
  max?: number;
  /** False: hot statements go unnamed (`DATABASE_PREPARED_STATEMENTS=off`, src/lib/db/prebuilt.ts). Default true. */
  preparedStatements?: boolean;
}

/**
 * Opens a database: node-postgres when given a postgres URL, PGlite otherwise (docs/architecture.md).
 * Drivers are imported lazily so that neither is loaded where it is not used.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  const url = options.url;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const { Pool } = await import("pg");
    const { drizzle } = await import("drizzle-orm/node-postgres");
    const pool = new Pool({ connectionString: url, max: options.max ?? 10 });
    // An idle client losing its connection (server restart) must not crash the process.
    pool.on("error", () => {});
    // Nor may a checked-out one: pg-pool listens only on idle clients, and a client emits
    // 'error' when its connection dies mid-query (e.g. inside a transaction). The query itself
    // still fails, and pg-pool discards the broken client on release.
    pool.on("connect", (client) => client.on("error", () => {}));
    const db = drizzle(pool, { schema }) as unknown as Database;
    if (options.preparedStatements !== false) sendStatementsNamed(db);
    const withSessionLock = async <T>(key: number, work: () => Promise<T>): Promise<T> => {
      const client = await pool.connect();
      try {
        await client.query("select pg_advisory_lock($1)", [key]);
        try {
          return await work();
        } finally {
          await client.query("select pg_advisory_unlock($1)", [key]);
        }
      } finally {
        client.release();
      }
    };
    return { db, kind: "postgres", withSessionLock, close: () => pool.end() };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const dir = options.pgliteDir ?? path.join(process.cwd(), ".data", "pglite");
  if (dir !== "memory://") mkdirSync(dir, { recursive: true });
  const client = new PGlite(dir === "memory://" ? undefined : dir);
  const db = drizzle(client, { schema }) as unknown as Database;
  return { db, kind: "pglite", close: () => client.close() };
}
