import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { socialAccounts, type ProviderData } from "@/lib/db/schema";
import type { OwnedAccount } from "./owned-accounts";

/**
 * Adds facts a provider told us later (not at connect) to the account's
 * `social_accounts.provider_data`, keeping the others: a jsonb merge in one statement, only on
 * the owner's row, and no write when nothing changed. A reconnect replaces the whole object with
 * what the connect learnt, so a fact found later is gone until it is found again.
 */
export async function mergeProviderData(db: Database, owned: OwnedAccount, patch: ProviderData): Promise<void> {
  const current = owned.row.providerData ?? {};
  if (Object.entries(patch).every(([key, value]) => Object.hasOwn(current, key) && current[key] === value)) return;
  await db
    .update(socialAccounts)
    .set({ providerData: sql`coalesce(${socialAccounts.providerData}, '{}'::jsonb) || ${JSON.stringify(patch)}::jsonb` })
    .where(and(eq(socialAccounts.id, owned.id), eq(socialAccounts.userId, owned.userId)));
}
