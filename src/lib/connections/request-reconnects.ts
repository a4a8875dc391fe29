import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { REFRESH_TOKEN_WARNING_MS } from "@/lib/connections/token-schedule";

/**
 * Asks for a reconnect of every ACTIVE account whose refresh token ends within the warning
 * window. TikTok's refresh tokens live 365 or 180 days "after the initial issuance"
 * (https://developers.tiktok.com/doc/oauth-user-access-token-management), so refreshing
 * does not save an account from that end: marks the row once and appends a `reconnect_requested` event, in one
 * statement. Returns the accounts flagged now (never the ones flagged before).
 */
export async function requestReconnects(
  db: Database,
  options: { now: Date; warningMs?: number },
): Promise<{ accountId: string; userId: string }[]> {
  const now = options.now.toISOString();
  const horizon = new Date(options.now.getTime() + (options.warningMs ?? REFRESH_TOKEN_WARNING_MS)).toISOString();
  const result = (await db.execute(sql`
    with flagged as (
      update social_accounts set reconnect_requested_at = ${now}::timestamptz, updated_at = ${now}::timestamptz
      where id in (
        select id from social_accounts
        where status = 'ACTIVE'
          and reconnect_requested_at is null
          and refresh_token_expiry is not null
          and refresh_token_expiry < ${horizon}::timestamptz
        -- Rows a refresh is writing right now are left for the next check: never wait on (or
        -- deadlock with) the refresher's grouped writes.
        for update skip locked
      )
      returning id, user_id, refresh_token_expiry
    ),
    logged as (
      insert into account_events (account_id, user_id, kind, detail, created_at)
      select id, user_id, 'reconnect_requested',
             jsonb_build_object('refreshTokenExpiresAt', to_char(refresh_token_expiry at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
             ${now}::timestamptz
      from flagged
    )
    select id as "accountId", user_id as "userId" from flagged
  `)) as unknown as { rows: { accountId: string; userId: string }[] };
  return result.rows;
}
