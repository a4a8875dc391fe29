import { and, eq, lt } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { oauthStates, type OAuthStateRow } from "@/lib/db/schema";
import { sha256Hex } from "./pkce";

/** How long a user has to approve at the provider (phase plan: 10-minute expiry). */
export const STATE_TTL_MS = 10 * 60 * 1000;

export interface NewStateRow {
  id: string;
  state: string;
  provider: string;
  userId: string;
  encryptedVerifier: string;
  browserBinding: string;
  returnTo: string;
  now: Date;
}

export async function insertState(db: Database, row: NewStateRow): Promise<void> {
  await db.insert(oauthStates).values({
    id: row.id,
    stateHash: sha256Hex(row.state),
    provider: row.provider,
    userId: row.userId,
    codeVerifier: row.encryptedVerifier,
    browserBindingHash: sha256Hex(row.browserBinding),
    returnTo: row.returnTo,
    createdAt: row.now,
    expiresAt: new Date(row.now.getTime() + STATE_TTL_MS),
  });
}

/**
 * Consumes a state exactly once (SECURITY.md S6): one atomic `DELETE … RETURNING`, so of two
 * concurrent callbacks only one gets the row. The row must also belong to this provider (S12),
 * this user (S7) and this browser (S8); a request that matches none of them consumes nothing,
 * so an attacker cannot burn a victim's flow.
 */
export async function consumeState(
  db: Database,
  query: { state: string; provider: string; userId: string; browserBinding: string },
): Promise<OAuthStateRow | undefined> {
  const rows = await db
    .delete(oauthStates)
    .where(
      and(
        eq(oauthStates.stateHash, sha256Hex(query.state)),
        eq(oauthStates.provider, query.provider),
        eq(oauthStates.userId, query.userId),
        eq(oauthStates.browserBindingHash, sha256Hex(query.browserBinding)),
      ),
    )
    .returning();
  return rows[0];
}

/** Drops abandoned flows. */
export async function sweepExpiredStates(db: Database, now: Date): Promise<void> {
  await db.delete(oauthStates).where(lt(oauthStates.expiresAt, now));
}
