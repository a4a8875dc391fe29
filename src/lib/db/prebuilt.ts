import { sql, type Column, type SQL } from "drizzle-orm";
import type { Database } from "./client";

/**
 * A hot query whose SQL text is built once per database handle and then run with new values
 * (drizzle placeholders: `sql.placeholder("name")` in a WHERE, `valueFor(column, "name")` in a
 * SET): `prebuilt((db) => db.select()…prepare(UNNAMED))`, then `query(db).execute({ name })`.
 *
 * Drizzle builds a query's SQL from its objects on every call: for a select of every column of
 * `social_accounts` about 0.2 ms of CPU, as much as the rest of a route's own work
 * (docs/performance.md, "Request path"). Built once, a call costs only filling in its values.
 */
export function prebuilt<Query>(build: (db: Database) => Query): (db: Database) => Query {
  // Per handle: a query prepared on one pool (or transaction) runs on that one.
  const built = new WeakMap<Database, Query>();
  return (db) => {
    let query = built.get(db);
    if (query === undefined) {
      query = build(db);
      built.set(db, query);
    }
    return query;
  };
}

/**
 * The name given to drizzle's `prepare()` for a prebuilt query: none. With a name, node-postgres
 * would create a named prepared statement on each server connection, which a transaction-pooling
 * proxy (PgBouncer before 1.21, or without `max_prepared_statements`) cannot carry
 * (docs/deploy.md). Unnamed, the query goes out exactly as an unprepared one does — PostgreSQL
 * parses and plans it each time — and only our side's building is saved.
 */
export const UNNAMED = "";

/**
 * A placeholder for a value a prebuilt query writes to `column` (in `.set()`), encoded as drizzle
 * encodes that column's values when the query runs (a Date as its timestamp, an array as an
 * array literal). In a WHERE, `sql.placeholder(name)` is enough.
 */
export function valueFor(column: Column, name: string): SQL {
  return sql`${sql.param(sql.placeholder(name), column)}`;
}
