import { createHash } from "node:crypto";
import { sql, type Column, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Database } from "./client";

/** What drizzle's query builders (select, insert, update, delete) offer before they run. */
interface Preparable<Prepared> {
  toSQL(): { sql: string };
  prepare(name: string): Prepared;
}

/**
 * Handles whose hot statements are named: node-postgres pools opened with prepared statements on
 * (`openDatabase`; `DATABASE_PREPARED_STATEMENTS=off` leaves them out, for a transaction-pooling
 * proxy that cannot carry named statements, docs/deploy.md). Any other handle — PGlite, a
 * transaction's, a test's — sends them unnamed, so nothing is named that was not asked for.
 */
const namedHandles = new WeakSet<Database>();

export function sendStatementsNamed(db: Database): void {
  namedHandles.add(db);
}

/**
 * The server-side name of a hot statement: its label and a digest of its text. Naming it after
 * its text means one name never stands for two texts — node-postgres refuses that on a
 * connection, and it would happen whenever a query's SQL changed while the pool lived (dev-mode
 * reloading, two builds of a label). PostgreSQL keeps names to 63 bytes.
 */
function statementName(label: string, text: string): string {
  return `sf_${label}_${createHash("sha256").update(text).digest("hex").slice(0, 16)}`;
}

const LABEL = /^[a-z][a-z0-9_]{0,39}$/;

/**
 * A hot query, built once per database handle and run with new values (drizzle placeholders:
 * `sql.placeholder("name")` in a WHERE, `valueFor(column, "name")` in a SET):
 * `prebuilt("label", (db) => db.select()…)`, then `query(db).execute({ name })`.
 *
 * Built once: drizzle builds a query's SQL from its objects on every call, for a select of every
 * column of `social_accounts` about 0.2 ms of CPU, as much as the rest of a route's own work.
 *
 * Named: node-postgres prepares it on each pooled connection the first time it runs there, and
 * afterwards sends only its values, so PostgreSQL neither parses nor plans it again. On the
 * connect's state consume and account write that saved 0.2–0.8 ms each per callback under load
 * (docs/performance.md, "Request path"). On a handle not opened for named statements
 * (`DATABASE_PREPARED_STATEMENTS=off`, PGlite, a transaction) it goes unnamed, parsed and planned
 * each time.
 */
export function prebuilt<Prepared>(label: string, build: (db: Database) => Preparable<Prepared>): (db: Database) => Prepared {
  if (!LABEL.test(label)) throw new Error(`prebuilt: a label is a short snake_case name, not "${label}"`);
  // Per handle: a query prepared on one pool (or transaction) runs on that one.
  const built = new WeakMap<Database, Prepared>();
  return (db) => {
    let query = built.get(db);
    if (query === undefined) {
      const builder = build(db);
      query = builder.prepare(namedHandles.has(db) ? statementName(label, builder.toSQL().sql) : "");
      built.set(db, query);
    }
    return query;
  };
}

const dialect = new PgDialect();

/** A prebuilt raw statement: `execute(values)` answers the driver's result, as `db.execute` does. */
export interface PrebuiltSql<Row> {
  execute(values?: Record<string, unknown>): Promise<{ rows: Row[] }>;
}

/**
 * A hot statement written as SQL rather than with a builder (a data-modifying CTE, a function
 * call), prebuilt and named as `prebuilt` does. Its values are placeholders, as in `prebuilt`.
 */
export function prebuiltSql<Row>(label: string, statement: SQL): (db: Database) => PrebuiltSql<Row> {
  const query = dialect.sqlToQuery(statement);
  return prebuilt(label, (db) => ({
    toSQL: () => query,
    prepare: (name) => db._.session.prepareQuery(query, undefined, name, false) as unknown as PrebuiltSql<Row>,
  }));
}

/**
 * A placeholder for a value a prebuilt query writes to `column` (in `.set()`, or an SQL
 * statement's values), encoded as drizzle encodes that column's values when the query runs (a
 * Date as its timestamp, an array as an array literal). In a WHERE, `sql.placeholder(name)` is
 * enough.
 */
export function valueFor(column: Column, name: string): SQL {
  return sql`${sql.param(sql.placeholder(name), column)}`;
}
