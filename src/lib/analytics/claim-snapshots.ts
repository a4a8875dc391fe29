import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { socialAccounts, type SocialAccountRow } from "@/lib/db/schema";

/** Longer than a snapshot's calls (two or three, 10 s timeout each) plus the write. */
export const SNAPSHOT_LEASE_MS = 2 * 60_000;
/**
 * An access token with less than this left is not used for a snapshot: the refresher renews
 * it first (it is due well before), so a snapshot never triggers a refresh of its own — the
 * API clients refresh within 5 minutes of the end, this keeps clear of that.
 */
export const SNAPSHOT_TOKEN_MARGIN_MS = 10 * 60_000;

/**
 * Claims up to `limit` accounts whose snapshot is due, with the analytics lease — the same
 * pattern as the refresh claim (an UPDATE over a `FOR UPDATE SKIP LOCKED` sub-select, then a
 * lease, so no transaction waits on the network), on the analytics columns only. Left out:
 * accounts not ACTIVE, with a token near its end, or being refreshed right now (refresh lease
 * held) — the refresher's accounts are never waited for and never touched.
 */
export async function claimDueSnapshots(
  db: Database,
  options: { now: Date; limit: number; leaseMs?: number },
): Promise<{ leaseId: string; rows: SocialAccountRow[] }> {
  const leaseId = randomUUID();
  const now = options.now.toISOString();
  const until = new Date(options.now.getTime() + (options.leaseMs ?? SNAPSHOT_LEASE_MS));
  const tokenGoodUntil = new Date(options.now.getTime() + SNAPSHOT_TOKEN_MARGIN_MS).toISOString();
  const rows = await db
    .update(socialAccounts)
    .set({ analyticsLeaseId: leaseId, analyticsLeaseUntil: until })
    .where(
      sql`${socialAccounts.id} in (
        select id from social_accounts
        where status = 'ACTIVE'
          and analytics_due_at <= ${now}
          and (analytics_lease_until is null or analytics_lease_until < ${now})
          and token_expiry > ${tokenGoodUntil}
          and (refresh_lease_until is null or refresh_lease_until < ${now})
        order by analytics_due_at
        limit ${options.limit}
        for update skip locked
      )`,
    )
    .returning();
  return { leaseId, rows };
}

/** Sets the next due time and gives the lease back, only while still holding it. */
export async function rescheduleSnapshot(db: Database, accountId: string, leaseId: string, dueAt: Date): Promise<boolean> {
  const rows = await db
    .update(socialAccounts)
    .set({ analyticsDueAt: dueAt, analyticsLeaseId: null, analyticsLeaseUntil: null })
    .where(and(eq(socialAccounts.id, accountId), eq(socialAccounts.analyticsLeaseId, leaseId)))
    .returning({ id: socialAccounts.id });
  return rows.length > 0;
}
