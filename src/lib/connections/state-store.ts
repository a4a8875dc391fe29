import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { prebuilt, prebuiltSql } from "@/lib/db/prebuilt";
import { oauthStates, type OAuthStateRow } from "@/lib/db/schema";

type Platform = OAuthStateRow["provider"];
import { sha256Hex } from "./pkce";

/** How long a user has to approve at the provider (10 minutes, as RFC 9700 §4.7 advises short-lived state). */
export const STATE_TTL_MS = 10 * 60 * 1000;

/**
 * Open flows kept per user and provider; a new one pushes out the oldest. A person has one or
 * two Connect tabs going at once, so ten leaves room for several tabs, retries and double
 * clicks within the 10-minute life of a state, while a loop (or a script holding the user's
 * cookie) can no longer grow the table: it only ever replaces its own oldest flows.
 */
export const MAX_OPEN_STATES = 10;

export interface NewStateRow {
  id: string;
  state: string;
  provider: Platform;
  userId: string;
  encryptedVerifier: string;
  browserBinding: string;
  returnTo: string;
  now: Date;
}

/**
 * Stores a new flow and, atomically with it, drops this user's oldest flows beyond
 * MAX_OPEN_STATES and every abandoned (expired) flow. A transaction-scoped advisory lock on
 * (provider, user) serialises concurrent authorizes of one user, from any connection or
 * instance: without it two authorizes could each see N-1 others, keep them and leave N+1.
 * The drop must read the table as it is once the lock is held, which a single statement cannot
 * (its snapshot predates the lock), so lock, drop and insert run in the `oauth_state_put`
 * function (drizzle/0008_oauth_state_put.sql), whose statements each take a fresh snapshot
 * under READ COMMITTED (PostgreSQL's default isolation, which SocialFlow never changes):
 * one round trip instead of four (BEGIN, lock, drop and insert, COMMIT). Other users never
 * wait on the lock (hash collisions aside, which only serialise two unrelated inserts for a moment).
 */
export async function insertState(db: Database, row: NewStateRow): Promise<void> {
  await putStatement(db).execute({
    id: row.id,
    stateHash: sha256Hex(row.state),
    provider: row.provider,
    userId: row.userId,
    encryptedVerifier: row.encryptedVerifier,
    browserBindingHash: sha256Hex(row.browserBinding),
    returnTo: row.returnTo,
    now: row.now.toISOString(),
    expiresAt: new Date(row.now.getTime() + STATE_TTL_MS).toISOString(),
  });
}

// Every authorize runs it (src/lib/db/prebuilt.ts).
const putStatement = prebuiltSql(
  "state_put",
  sql`
    select oauth_state_put(
      ${sql.placeholder("id")}, ${sql.placeholder("stateHash")}, ${sql.placeholder("provider")}::platform, ${sql.placeholder("userId")},
      ${sql.placeholder("encryptedVerifier")}, ${sql.placeholder("browserBindingHash")}, ${sql.placeholder("returnTo")},
      ${sql.placeholder("now")}::timestamptz, ${sql.placeholder("expiresAt")}::timestamptz, ${MAX_OPEN_STATES}::integer
    )
  `,
);

/**
 * Consumes a state exactly once (docs/security.md S6): one atomic `DELETE … RETURNING`, so of two
 * concurrent callbacks only one gets the row. The row must also belong to this provider (S12),
 * this user (S7) and this browser (S8); a request that matches none of them consumes nothing,
 * so an attacker cannot burn a victim's flow.
 */
export async function consumeState(
  db: Database,
  query: { state: string; provider: Platform; userId: string; browserBinding: string },
): Promise<OAuthStateRow | undefined> {
  const rows = await consumeStatement(db).execute({
    stateHash: sha256Hex(query.state),
    provider: query.provider,
    userId: query.userId,
    browserBindingHash: sha256Hex(query.browserBinding),
  });
  return rows[0];
}

// Every callback runs it: built once (src/lib/db/prebuilt.ts).
const consumeStatement = prebuilt("state_consume", (db) =>
  db
    .delete(oauthStates)
    .where(
      and(
        eq(oauthStates.stateHash, sql.placeholder("stateHash")),
        eq(oauthStates.provider, sql.placeholder("provider")),
        eq(oauthStates.userId, sql.placeholder("userId")),
        eq(oauthStates.browserBindingHash, sql.placeholder("browserBindingHash")),
      ),
    )
    .returning(),
);
