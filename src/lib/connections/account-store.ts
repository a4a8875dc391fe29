import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { socialAccounts } from "@/lib/db/schema";
import type { TokenCipher } from "@/lib/crypto/token-cipher";
import { accountChanged } from "@/lib/connections/account-cache";
import { OAuthFlowError } from "./errors";
import type { OAuthTokens, UserProfile } from "./types";
import { tokenSchedule } from "./token-schedule";

export type Platform = (typeof socialAccounts.platform.enumValues)[number];
export type TokenField = "access_token" | "refresh_token";

export function tokenAad(accountId: string, field: TokenField) {
  return { table: "social_accounts", rowId: accountId, field } as const;
}

/**
 * Stores a fresh connection (docs/security.md S23, S24) in two statements: a read of who holds
 * this provider account, then one statement that inserts or updates the row and records its
 * event together (a data-modifying CTE: both or neither, as the rotated pair store writes). The
 * row's id is fixed before the write because each token's ciphertext is bound to it (S27); the
 * write only updates the row it read (same id, same owner), so a row that changed hands in
 * between is refused, never overwritten. The same provider account linked to another SocialFlow
 * user is refused, never moved (S22).
 */
export async function saveConnection(
  db: Database,
  cipher: TokenCipher,
  input: { userId: string; platform: Platform; tokens: OAuthTokens; profile: UserProfile; scopes: string[]; now: Date },
): Promise<{ id: string; reconnected: boolean }> {
  const { userId, platform, profile } = input;
  // Twice at most: a first connect of the same account by this user racing this one may insert
  // the row between the read and the write; the second pass then updates that row.
  for (let attempt = 0; ; attempt++) {
    const [existing] = await db
      .select({ id: socialAccounts.id, userId: socialAccounts.userId })
      .from(socialAccounts)
      .where(and(eq(socialAccounts.platform, platform), eq(socialAccounts.platformUserId, profile.providerUserId)));
    if (existing && existing.userId !== userId) throw new OAuthFlowError("account_already_linked");
    const saved = await writeConnection(db, cipher, input, existing?.id ?? randomUUID());
    if (saved) {
      // A reconnect may bring other scopes, another profile or a new grant: nothing cached about
      // the account before it may be served after it.
      accountChanged(saved.id);
      return saved;
    }
    if (attempt >= 1) throw new OAuthFlowError("oauth_failed");
  }
}

async function writeConnection(
  db: Database,
  cipher: TokenCipher,
  input: { userId: string; platform: Platform; tokens: OAuthTokens; profile: UserProfile; scopes: string[]; now: Date },
  id: string,
): Promise<{ id: string; reconnected: boolean } | undefined> {
  const { userId, platform, tokens, profile, scopes, now } = input;
  const schedule = tokenSchedule(tokens, now);
  const values = {
    unionId: profile.unionId ?? null,
    displayName: profile.displayName,
    avatarUrl: profile.avatarUrl ?? null,
    scopes,
    accessToken: cipher.encrypt(tokens.accessToken, tokenAad(id, "access_token")),
    refreshToken: tokens.refreshToken ? cipher.encrypt(tokens.refreshToken, tokenAad(id, "refresh_token")) : null,
    providerData: profile.providerData ?? null,
    tokenExpiry: schedule.tokenExpiry,
    refreshTokenExpiry: schedule.refreshTokenExpiry,
    nextRefreshAt: schedule.nextRefreshAt,
    status: "ACTIVE" as const,
    statusReason: null,
    lastRefreshedAt: now,
    refreshFailures: 0,
    refreshLeaseId: null,
    refreshLeaseUntil: null,
    reconnectRequestedAt: null,
    updatedAt: now,
  };
  const upsert = db
    .insert(socialAccounts)
    .values({ id, userId, platform, platformUserId: profile.providerUserId, createdAt: now, ...values })
    .onConflictDoUpdate({
      target: [socialAccounts.platform, socialAccounts.platformUserId],
      set: {
        ...values,
        // A provider that does not rotate (Google) may answer a re-consent without a refresh
        // token: the stored one is still the grant's, so it is kept, never replaced by nothing
        // (https://developers.google.com/identity/protocols/oauth2/web-server#offline). Its
        // ciphertext stays valid: the row id it is bound to does not change.
        refreshToken: sql`coalesce(excluded.refresh_token, ${socialAccounts.refreshToken})`,
      },
      setWhere: and(eq(socialAccounts.id, id), eq(socialAccounts.userId, userId)),
    })
    .returning({ id: socialAccounts.id, userId: socialAccounts.userId, inserted: sql<boolean>`(xmax = 0)`.as("inserted") });
  const result = (await db.execute(sql`
    with saved as (${upsert.getSQL()}),
    logged as (
      insert into account_events (account_id, user_id, kind, created_at)
      select id, user_id, case when inserted then 'connected' else 'reconnected' end, ${now.toISOString()}::timestamptz from saved
    )
    select id, inserted from saved
  `)) as unknown as { rows: { id: string; inserted: boolean }[] };
  const row = result.rows[0];
  return row ? { id: row.id, reconnected: !row.inserted } : undefined;
}
