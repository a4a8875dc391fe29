import { and, desc, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { accountEvents } from "@/lib/db/schema";

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

export async function listAccountEvents(db: Database, accountId: string, limit = 5) {
  return db
    .select()
    .from(accountEvents)
    .where(eq(accountEvents.accountId, accountId))
    .orderBy(desc(accountEvents.createdAt), desc(accountEvents.id))
    .limit(limit);
}

export async function hasEvent(db: Database, query: { accountId: string; userId: string; kind: AccountEventKind }) {
  const rows = await db
    .select({ id: accountEvents.id })
    .from(accountEvents)
    .where(and(eq(accountEvents.accountId, query.accountId), eq(accountEvents.userId, query.userId), eq(accountEvents.kind, query.kind)))
    .limit(1);
  return rows.length > 0;
}
