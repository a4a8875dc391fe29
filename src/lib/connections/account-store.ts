import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { prebuilt, prebuiltSql, valueFor } from "@/lib/db/prebuilt";
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

/** Who holds a provider account, if anyone: its row id and owner. */
export type Holder = { id: string; userId: string } | undefined;

/** Reads who holds this provider account now (one statement, prebuilt). */
export async function readHolder(db: Database, platform: Platform, providerUserId: string): Promise<Holder> {
  const [row] = await holderOf(db).execute({ platform, platformUserId: providerUserId });
  return row;
}

/**
 * Stores a fresh connection (docs/security.md S23, S24) in two statements: a read of who holds
 * this provider account, then one statement that inserts or updates the row and records its
 * event together (a data-modifying CTE: both or neither, as the rotated pair store writes). The
 * row's id is fixed before the write because each token's ciphertext is bound to it (S27); the
 * write only updates the row it read (same id, same owner), so a row that changed hands in
 * between is refused, never overwritten. The same provider account linked to another SocialFlow
 * user is refused, never moved (S22).
 *
 * `firstRead`: the holder already read by the caller for this account (the callback reads it
 * while the provider's profile call is in flight); the write's guard makes an early read as safe
 * as a late one, and a second pass always reads again.
 */
export async function saveConnection(
  db: Database,
  cipher: TokenCipher,
  input: { userId: string; platform: Platform; tokens: OAuthTokens; profile: UserProfile; scopes: string[]; now: Date },
  firstRead?: { holder: Holder },
): Promise<{ id: string; reconnected: boolean }> {
  const { userId, platform, profile } = input;
  // Twice at most: a first connect of the same account by this user racing this one may insert
  // the row between the read and the write; the second pass then updates that row.
  for (let attempt = 0; ; attempt++) {
    const existing = attempt === 0 && firstRead ? firstRead.holder : await readHolder(db, platform, profile.providerUserId);
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

// Who holds a provider account: read by every connect (src/lib/db/prebuilt.ts).
const holderOf = prebuilt("account_holder", (db) =>
  db
    .select({ id: socialAccounts.id, userId: socialAccounts.userId })
    .from(socialAccounts)
    .where(and(eq(socialAccounts.platform, sql.placeholder("platform")), eq(socialAccounts.platformUserId, sql.placeholder("platformUserId")))),
);

async function writeConnection(
  db: Database,
  cipher: TokenCipher,
  input: { userId: string; platform: Platform; tokens: OAuthTokens; profile: UserProfile; scopes: string[]; now: Date },
  id: string,
): Promise<{ id: string; reconnected: boolean } | undefined> {
  const { userId, platform, tokens, profile, scopes, now } = input;
  const schedule = tokenSchedule(tokens, now);
  const at = (date: Date | null) => date?.toISOString() ?? null;
  const accessToken = cipher.encrypt(tokens.accessToken, tokenAad(id, "access_token"));
  const refreshToken = tokens.refreshToken ? cipher.encrypt(tokens.refreshToken, tokenAad(id, "refresh_token")) : null;
  const result = await writeStatement(db).execute({
    id,
    userId,
    platform,
    platformUserId: profile.providerUserId,
    unionId: profile.unionId ?? null,
    displayName: profile.displayName,
    avatarUrl: profile.avatarUrl ?? null,
    scopes,
    accessToken,
    refreshToken,
    providerData: profile.providerData ? JSON.stringify(profile.providerData) : null,
    tokenExpiry: at(schedule.tokenExpiry),
    refreshTokenExpiry: at(schedule.refreshTokenExpiry),
    nextRefreshAt: at(schedule.nextRefreshAt),
    now: at(now),
  });
  const row = result.rows[0];
  return row ? { id: row.id, reconnected: !row.inserted } : undefined;
}

// One flat statement rather than drizzle's insert builder wrapped in a CTE: building that nested
// query took 0.3–0.4 ms of CPU per connect (`BENCH_ONLY=parts`, docs/performance.md "Request
// path"); prebuilt, it is built once. Every column a connect sets is listed once; an update takes
// them from `excluded`, so the values travel once.
const writeStatement = prebuiltSql<{ id: string; inserted: boolean }>(
  "account_write",
  sql`
    with saved as (
      insert into social_accounts as account (
        id, user_id, platform, platform_user_id, created_at,
        union_id, display_name, avatar_url, scopes, access_token, refresh_token, provider_data,
        token_expiry, refresh_token_expiry, next_refresh_at, status, status_reason, last_refreshed_at,
        refresh_failures, refresh_lease_id, refresh_lease_until, reconnect_requested_at, updated_at
      ) values (
        ${sql.placeholder("id")}, ${sql.placeholder("userId")}, ${sql.placeholder("platform")}, ${sql.placeholder("platformUserId")}, ${sql.placeholder("now")},
        ${sql.placeholder("unionId")}, ${sql.placeholder("displayName")}, ${sql.placeholder("avatarUrl")}, ${valueFor(socialAccounts.scopes, "scopes")},
        ${sql.placeholder("accessToken")}, ${sql.placeholder("refreshToken")}, ${sql.placeholder("providerData")},
        ${sql.placeholder("tokenExpiry")}, ${sql.placeholder("refreshTokenExpiry")}, ${sql.placeholder("nextRefreshAt")}, 'ACTIVE', null, ${sql.placeholder("now")},
        0, null, null, null, ${sql.placeholder("now")}
      )
      on conflict (platform, platform_user_id) do update set
        union_id = excluded.union_id, display_name = excluded.display_name, avatar_url = excluded.avatar_url,
        scopes = excluded.scopes, access_token = excluded.access_token,
        -- A provider that does not rotate (Google) may answer a re-consent without a refresh
        -- token: the stored one is still the grant's, so it is kept, never replaced by nothing
        -- (https://developers.google.com/identity/protocols/oauth2/web-server#offline). Its
        -- ciphertext stays valid: the row id it is bound to does not change.
        refresh_token = coalesce(excluded.refresh_token, account.refresh_token),
        provider_data = excluded.provider_data, token_expiry = excluded.token_expiry,
        refresh_token_expiry = excluded.refresh_token_expiry, next_refresh_at = excluded.next_refresh_at,
        status = excluded.status, status_reason = excluded.status_reason, last_refreshed_at = excluded.last_refreshed_at,
        refresh_failures = excluded.refresh_failures, refresh_lease_id = excluded.refresh_lease_id,
        refresh_lease_until = excluded.refresh_lease_until, reconnect_requested_at = excluded.reconnect_requested_at,
        -- A disconnect still revoking the old grant loses its claim: this connect came later and
        -- its user was told "connected", so the new grant stays (docs/security.md S69).
        disconnect_claim_id = null, disconnect_claim_until = null,
        updated_at = excluded.updated_at
      -- Only the row that was read, still this user's: a row that changed hands is not touched.
      where account.id = ${sql.placeholder("id")} and account.user_id = ${sql.placeholder("userId")}
      returning account.id, account.user_id, (xmax = 0) as inserted
    ),
    logged as (
      insert into account_events (account_id, user_id, kind, created_at)
      select id, user_id, case when inserted then 'connected' else 'reconnected' end, ${sql.placeholder("now")}::timestamptz from saved
    )
    select id, inserted from saved
  `,
);
