import type { Database } from "@/lib/db/client";

/** What `drizzle()` puts on the database: the PGlite instance or the node-postgres pool. */
type DriverClient = { query: (...args: unknown[]) => unknown };

/**
 * Runs `work` and counts the statements it sends to the database, at the driver: Drizzle's
 * PGlite and node-postgres sessions send every statement through `$client.query` (the
 * builder's selects as well as `execute`), so a proxy on the `db` object would miss them.
 * Not for work inside a transaction on node-postgres (that runs on a checked-out client).
 * Counts statements, never time: "one statement whatever the number of accounts" is a count.
 */
export async function countStatements<T>(db: Database, work: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const client = (db as unknown as { $client: DriverClient }).$client;
  const original = client.query;
  let statements = 0;
  client.query = function (this: unknown, ...args: unknown[]) {
    statements++;
    return original.apply(this, args);
  };
  try {
    const result = await work();
    return { result, statements };
  } finally {
    client.query = original;
  }
}
