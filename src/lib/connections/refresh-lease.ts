import { randomUUID } from "node:crypto";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { prebuilt, valueFor } from "@/lib/db/prebuilt";
import { socialAccounts, type SocialAccountRow } from "@/lib/db/schema";

/** Longer than the token call's timeout, so a live holder never loses its lease. */
export const REFRESH_LEASE_MS = 60_000;

/**
 * Takes the account's refresh lease if nobody holds a live one: one conditional UPDATE, so
 * of any number of processes exactly one wins (docs/security.md S30). Returns the row as it is
 * now, or undefined when the lease is held elsewhere or the row is gone.
 */
export async function acquireRefreshLease(
  db: Database,
  accountId: string,
  now: Date,
  leaseMs = REFRESH_LEASE_MS,
): Promise<{ leaseId: string; row: SocialAccountRow } | undefined> {
  const leaseId = randomUUID();
  const [row] = await leaseStatement(db).execute({ accountId, leaseId, until: new Date(now.getTime() + leaseMs), now });
  return row ? { leaseId, row } : undefined;
}

// Every refresh, by the sweeper or a route, runs it: built once (src/lib/db/prebuilt.ts).
const leaseStatement = prebuilt("refresh_lease", (db) =>
  db
    .update(socialAccounts)
    .set({ refreshLeaseId: valueFor(socialAccounts.refreshLeaseId, "leaseId"), refreshLeaseUntil: valueFor(socialAccounts.refreshLeaseUntil, "until") })
    .where(
      and(
        eq(socialAccounts.id, sql.placeholder("accountId")),
        or(isNull(socialAccounts.refreshLeaseUntil), lt(socialAccounts.refreshLeaseUntil, sql.placeholder("now"))),
      ),
    )
    .returning(),
);

/** Writes `values` only while still holding the lease, and releases it in the same statement. */
export async function updateUnderLease(
  db: Database,
  accountId: string,
  leaseId: string,
  values: Partial<typeof socialAccounts.$inferInsert>,
): Promise<boolean> {
  return updateHoldingLease(db, accountId, leaseId, { ...values, refreshLeaseId: null, refreshLeaseUntil: null });
}

export async function releaseRefreshLease(db: Database, accountId: string, leaseId: string): Promise<void> {
  await updateUnderLease(db, accountId, leaseId, {});
}

/** Writes `values` only while holding the lease, and keeps holding it (the caller goes on). */
export async function updateHoldingLease(
  db: Database,
  accountId: string,
  leaseId: string,
  values: Partial<typeof socialAccounts.$inferInsert>,
): Promise<boolean> {
  const rows = await db
    .update(socialAccounts)
    .set(values)
    .where(and(eq(socialAccounts.id, accountId), eq(socialAccounts.refreshLeaseId, leaseId)))
    .returning({ id: socialAccounts.id });
  return rows.length > 0;
}
