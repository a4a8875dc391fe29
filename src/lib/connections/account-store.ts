import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { socialAccounts } from "@/lib/db/schema";
import type { TokenCipher } from "@/lib/crypto/token-cipher";
import { recordAccountEvent } from "@/lib/connections/events";
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
 * Stores a fresh connection in one transaction (docs/security.md S23, S24): the row's id is fixed
 * first because each token's ciphertext is bound to it (S27), then the row is inserted or
 * updated and the event recorded together. The same provider account linked to another
 * SocialFlow user is refused, never moved (S22).
 */
export async function saveConnection(
  db: Database,
  cipher: TokenCipher,
  input: { userId: string; platform: Platform; tokens: OAuthTokens; profile: UserProfile; scopes: string[]; now: Date },
): Promise<{ id: string; reconnected: boolean }> {
  const { userId, platform, tokens, profile, scopes, now } = input;
  const saved = await db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ id: socialAccounts.id, userId: socialAccounts.userId, refreshToken: socialAccounts.refreshToken })
      .from(socialAccounts)
      .where(and(eq(socialAccounts.platform, platform), eq(socialAccounts.platformUserId, profile.providerUserId)))
      .for("update");
    if (existing && existing.userId !== userId) throw new OAuthFlowError("account_already_linked");

    const id = existing?.id ?? randomUUID();
    const schedule = tokenSchedule(tokens, now);
    const values = {
      unionId: profile.unionId ?? null,
      displayName: profile.displayName,
      avatarUrl: profile.avatarUrl ?? null,
      scopes,
      accessToken: cipher.encrypt(tokens.accessToken, tokenAad(id, "access_token")),
      // A provider that does not rotate (Google) may answer a re-consent without a refresh
      // token: the stored one is still the grant's, so it is kept, never replaced by nothing
      // (https://developers.google.com/identity/protocols/oauth2/web-server#offline). Its
      // ciphertext stays valid: the row id it is bound to does not change.
      refreshToken: tokens.refreshToken ? cipher.encrypt(tokens.refreshToken, tokenAad(id, "refresh_token")) : (existing?.refreshToken ?? null),
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
    if (existing) {
      await tx.update(socialAccounts).set(values).where(eq(socialAccounts.id, id));
    } else {
      // A concurrent first connect of the same account loses on the unique index and fails
      // the transaction: nothing half-written, and the user can simply try again.
      await tx.insert(socialAccounts).values({ id, userId, platform, platformUserId: profile.providerUserId, createdAt: now, ...values });
    }
    await recordAccountEvent(tx, { accountId: id, userId, kind: existing ? "reconnected" : "connected", at: now });
    return { id, reconnected: Boolean(existing) };
  });
  // A reconnect may bring other scopes, another profile or a new grant: nothing cached about
  // the account before it may be served after it.
  accountChanged(saved.id);
  return saved;
}
