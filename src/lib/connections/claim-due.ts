import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { socialAccounts, type SocialAccountRow } from "@/lib/db/schema";
import { REFRESH_LEASE_MS } from "@/lib/connections/refresh-lease";

/**
 * Claims up to `limit` accounts whose refresh is due, giving each the same fresh lease, in one
 * statement: ACTIVE ones, and UNREADABLE ones whose slow retry has come (their tokens may
 * decrypt again once a missing key is back). `FOR UPDATE SKIP LOCKED` lets any number of workers claim concurrently
 * without waiting on, or double-claiming, each other's rows (PostgreSQL docs, SELECT
 * "The Locking Clause"); the lease then keeps the row theirs after the statement ends.
 */
export async function claimDueAccounts(
  db: Database,
  options: { now: Date; limit: number; leaseMs?: number },
): Promise<{ leaseId: string; rows: SocialAccountRow[] }> {
  const leaseId = randomUUID();
  const until = new Date(options.now.getTime() + (options.leaseMs ?? REFRESH_LEASE_MS));
  const now = options.now.toISOString();
  const rows = await db
    .update(socialAccounts)
    .set({ refreshLeaseId: leaseId, refreshLeaseUntil: until })
    .where(
      sql`${socialAccounts.id} in (
        select id from social_accounts
        where ((status = 'ACTIVE' and refresh_token is not null) or status = 'UNREADABLE')
          and next_refresh_at <= ${now}
          and (refresh_lease_until is null or refresh_lease_until < ${now})
        order by next_refresh_at
        limit ${options.limit}
        for update skip locked
      )`,
    )
    .returning();
  return { leaseId, rows };
}
