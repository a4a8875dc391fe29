import type { Database } from "@/lib/db/client";

/** Runs one statement: `text` is its SQL, `run` sends it. Return `run()` to let it through. */
export type StatementHook = (text: string, run: () => Promise<unknown>) => Promise<unknown>;

/**
 * The database `db`, except that every statement it runs passes through `hook` first: a query
 * builder's, `db.execute`'s and a prebuilt statement's (src/lib/db/prebuilt.ts) alike, since
 * all of them are prepared by drizzle's session. A test counts, fails or holds statements by
 * their text without knowing which API sent them. Transactions run on a session of their own and
 * are not seen.
 */
export function hookStatements(db: Database, hook: StatementHook): Database {
  const realSession = db._.session;
  type Prepared = { execute: (...args: unknown[]) => Promise<unknown> };
  const session: typeof realSession = new Proxy(realSession, {
    get(target, prop) {
      if (prop !== "prepareQuery") return Reflect.get(target, prop, session);
      return (query: { sql: string }, ...rest: unknown[]) => {
        const prepared = (target.prepareQuery as (...args: unknown[]) => Prepared).call(session, query, ...rest);
        return new Proxy(prepared, {
          get(preparedTarget, preparedProp, receiver) {
            const value = Reflect.get(preparedTarget, preparedProp, receiver) as unknown;
            if (preparedProp !== "execute") return value;
            return (...args: unknown[]) => hook(query.sql, () => preparedTarget.execute(...args));
          },
        });
      };
    },
  });
  // Drizzle's methods read `this.session` (query builders) and `this._.session` (prebuilt
  // statements): both answer the hooked session, and methods run with the proxy as `this`.
  const hooked: Database = new Proxy(db, {
    get(target, prop) {
      if (prop === "session") return session;
      if (prop === "_") return { ...target._, session };
      return Reflect.get(target, prop, hooked);
    },
  });
  return hooked;
}
