import { and, eq, inArray, lte, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { accountEvents } from "@/lib/db/schema";
import type { OwnedAccount } from "./owned-accounts";

export const ACCOUNT_EVENT_KINDS = [
  "connected",
  "reconnected",
  "refreshed",
  "refresh_failed",
  "reconnect_requested",
  "expired",
  "revoke_failed",
  "disconnected",
  "unreadable",
  "readable_again",
] as const;
export type AccountEventKind = (typeof ACCOUNT_EVENT_KINDS)[number];
export type EventDetail = Record<string, string | number | boolean | null>;

/** Appends to an account's audit trail. Details carry codes and counts only, never a token. */
export async function recordAccountEvent(
  db: Pick<Database, "insert">,
  event: { accountId: string; userId: string; kind: AccountEventKind; detail?: EventDetail; at?: Date },
): Promise<void> {
  await db.insert(accountEvents).values({
    accountId: event.accountId,
    userId: event.userId,
    kind: event.kind,
    detail: event.detail ?? null,
    ...(event.at ? { createdAt: event.at } : {}),
  });
}

/**
 * The owner's own trail of each of these accounts (all of one user), newest first, at most
 * `limit` each: one statement for the whole accounts page, not one per account (issue #14).
 */
export async function listRecentAccountEvents(
  db: Database,
  accounts: readonly OwnedAccount[],
  limit = 5,
): Promise<Map<string, { kind: string; createdAt: Date }[]>> {
  const trails = new Map(accounts.map((a) => [a.id, [] as { kind: string; createdAt: Date }[]]));
  const userId = accounts[0]?.userId;
  if (userId === undefined) return trails;
  if (accounts.some((a) => a.userId !== userId)) throw new Error("listRecentAccountEvents: accounts of one user only");
  const ranked = db
    .select({
      accountId: accountEvents.accountId,
      kind: accountEvents.kind,
      createdAt: accountEvents.createdAt,
      rank: sql<number>`row_number() over (partition by ${accountEvents.accountId} order by ${accountEvents.createdAt} desc, ${accountEvents.id} desc)`.as("rank"),
    })
    .from(accountEvents)
    .where(and(eq(accountEvents.userId, userId), inArray(accountEvents.accountId, [...trails.keys()])))
    .as("ranked");
  const rows = await db.select().from(ranked).where(lte(ranked.rank, limit)).orderBy(ranked.accountId, ranked.rank);
  for (const row of rows) trails.get(row.accountId)?.push({ kind: row.kind, createdAt: row.createdAt });
  return trails;
}
