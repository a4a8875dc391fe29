import { and, desc, eq } from "drizzle-orm";
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

/** The owner's own trail of one of their accounts, newest first. */
export async function listAccountEvents(db: Database, account: OwnedAccount, limit = 5) {
  return db
    .select()
    .from(accountEvents)
    .where(and(eq(accountEvents.accountId, account.id), eq(accountEvents.userId, account.userId)))
    .orderBy(desc(accountEvents.createdAt), desc(accountEvents.id))
    .limit(limit);
}
