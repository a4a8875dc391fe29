import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";

/** A refreshed account's new, already encrypted token pair and schedule. */
export interface RotatedPair {
  accountId: string;
  /** The refresh lease the writer held when it called TikTok. */
  leaseId: string;
  /** Ciphertext of the refresh token TikTok just rotated away, exactly as read from the row. */
  previousRefreshToken: string;
  accessToken: string;
  /** Absent when TikTok's answer carried none: the stored one stays (SECURITY.md S33). */
  refreshToken: string | null;
  refreshTokenExpiry: Date | null;
  /** Absent when TikTok's answer carried no scope: the stored ones stay. */
  scopes: string[] | null;
  tokenExpiry: Date;
  nextRefreshAt: Date;
  refreshedAt: Date;
}

interface Waiting {
  pair: RotatedPair;
  resolve: (stored: boolean) => void;
  reject: (error: unknown) => void;
}

/** Rows per statement: bounds the statement's size and how many waits one failure touches. */
const DEFAULT_MAX_GROUP = 256;

/**
 * Stores rotated token pairs with group commit: a write that arrives while the previous one is
 * in flight joins the next statement instead of queueing its own round trip and commit. A lone
 * refresh is written at once, alone, so nothing waits on a timer and a rotated pair stays in
 * memory no longer than one statement's time — the same exposure as a write of its own, and
 * what lets one process keep up with TikTok's token endpoint (docs/performance.md).
 *
 * Each row is written, its lease released and its `refreshed` event appended in one statement,
 * so the pair and its audit line are committed together or not at all.
 *
 * The guard per row: the writer still holds its lease, or the row still holds the refresh
 * token that was just rotated away. The second arm matters when a slow TikTok let the lease
 * lapse and another worker claimed the row meanwhile: that worker's call with the old (now dead)
 * token ends in `invalid_grant`, re-reads, and finds this pair (S31) — whereas dropping the pair
 * would lose the account. Neither arm holds once the account was disconnected (the row is gone)
 * or another pair was stored since, and then the caller is told `false`.
 */
export class RotatedPairStore {
  private waiting: Waiting[] = [];
  private writing = false;

  constructor(
    private readonly db: Database,
    private readonly maxGroup = DEFAULT_MAX_GROUP,
  ) {}

  /** Resolves whether the pair was stored (see the guard above); rejects if the statement failed. */
  store(pair: RotatedPair): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ pair, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, this.maxGroup);
        try {
          const stored = await this.write(group.map((w) => w.pair));
          for (const w of group) w.resolve(stored.has(w.pair.accountId));
        } catch (error) {
          // Every pair of the group failed together; each caller retries on its own (and they
          // meet again in a later group).
          for (const w of group) w.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async write(pairs: RotatedPair[]): Promise<Set<string>> {
    const column = <T>(pick: (p: RotatedPair) => T) => sql.param(pairs.map(pick));
    const iso = (date: Date | null) => date?.toISOString() ?? null;
    const result = (await this.db.execute(sql`
      with input as (
        select * from unnest(
          ${column((p) => p.accountId)}::text[],
          ${column((p) => p.leaseId)}::text[],
          ${column((p) => p.previousRefreshToken)}::text[],
          ${column((p) => p.accessToken)}::text[],
          ${column((p) => p.refreshToken)}::text[],
          ${column((p) => iso(p.refreshTokenExpiry))}::timestamptz[],
          ${column((p) => (p.scopes ? JSON.stringify(p.scopes) : null))}::text[],
          ${column((p) => iso(p.tokenExpiry))}::timestamptz[],
          ${column((p) => iso(p.nextRefreshAt))}::timestamptz[],
          ${column((p) => iso(p.refreshedAt))}::timestamptz[]
        ) as t(id, lease_id, previous_refresh_token, access_token, refresh_token, refresh_token_expiry,
               scopes, token_expiry, next_refresh_at, refreshed_at)
      ),
      stored as (
        update social_accounts a set
          access_token = i.access_token,
          refresh_token = coalesce(i.refresh_token, a.refresh_token),
          refresh_token_expiry = coalesce(i.refresh_token_expiry, a.refresh_token_expiry),
          scopes = case when i.scopes is null then a.scopes
                        else array(select jsonb_array_elements_text(i.scopes::jsonb)) end,
          token_expiry = i.token_expiry,
          next_refresh_at = i.next_refresh_at,
          last_refreshed_at = i.refreshed_at,
          refresh_failures = 0,
          status = 'ACTIVE',
          status_reason = null,
          updated_at = i.refreshed_at,
          refresh_lease_id = null,
          refresh_lease_until = null
        from input i
        where a.id = i.id
          and (a.refresh_lease_id = i.lease_id or a.refresh_token = i.previous_refresh_token)
        returning a.id, a.user_id, i.refreshed_at
      ),
      logged as (
        insert into account_events (account_id, user_id, kind, created_at)
        select id, user_id, 'refreshed', refreshed_at from stored
      )
      select id from stored
    `)) as unknown as { rows: { id: string }[] };
    return new Set(result.rows.map((r) => r.id));
  }
}
