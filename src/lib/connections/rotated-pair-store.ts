import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { prebuiltSql } from "@/lib/db/prebuilt";
import { REFRESH_TOKEN_WARNING_MS } from "./token-schedule";

/** A refreshed account's new, already encrypted token pair and schedule. */
export interface RotatedPair {
  accountId: string;
  /** The refresh lease the writer held when it called the provider. */
  leaseId: string;
  /** Ciphertext of the refresh token the refresh was made with, exactly as read from the row. */
  previousRefreshToken: string;
  accessToken: string;
  /** Absent when the provider's answer carried none: the stored one stays (S33). */
  refreshToken: string | null;
  /**
   * The provider rotates refresh tokens (`rotatesRefreshTokens`) and this answer carried a new
   * one: the one it was made with is dead, which is what allows the guard's second arm.
   */
  rotated: boolean;
  refreshTokenExpiry: Date | null;
  /** Absent when the provider's answer carried no scope: the stored ones stay. */
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
 * A write that has not answered by then is given up on, so that one hung statement (a half-open
 * connection after a failover, a lock wait) cannot hold every later pair of the process in
 * memory. Its callers retry; if it did commit after all, the retry finds the pair stored.
 */
const DEFAULT_WRITE_TIMEOUT_MS = 10_000;

export class RotatedPairWriteTimeout extends Error {
  constructor() {
    super("rotated pair write timed out");
    this.name = "RotatedPairWriteTimeout";
  }
}

/**
 * A pair with a date PostgreSQL cannot take (an Invalid Date, or one outside years 1–9999, which
 * `toISOString()` cannot write as a plain timestamp). Refused to its own caller before it joins a
 * group, so it never fails the statement that carries other accounts' pairs.
 */
export class RotatedPairUnwritable extends Error {
  constructor() {
    super("rotated pair has a date that cannot be stored");
    this.name = "RotatedPairUnwritable";
  }
}

/** The instants `toISOString()` writes as a four-digit year, which every timestamptz column takes. */
const FIRST_WRITABLE_MS = Date.parse("0001-01-01T00:00:00.000Z");
const LAST_WRITABLE_MS = Date.parse("9999-12-31T23:59:59.999Z");

function writable(date: Date | null): boolean {
  if (date === null) return true;
  const ms = date.getTime();
  return Number.isFinite(ms) && ms >= FIRST_WRITABLE_MS && ms <= LAST_WRITABLE_MS;
}

/**
 * Stores rotated token pairs with group commit: a write that arrives while the previous one is
 * in flight joins the next statement instead of queueing its own round trip and commit. A lone
 * refresh is written at once, alone, so nothing waits on a timer and a rotated pair stays in
 * memory no longer than one statement's time — the same exposure as a write of its own, and
 * what lets one process keep up with a provider's token endpoint (docs/performance.md).
 *
 * Each row is written, its lease released and its `refreshed` event appended in one statement,
 * so the pair and its audit line are committed together or not at all.
 *
 * The guard per row: the writer still holds its lease, or — when the provider rotated the
 * refresh token (`rotated`) — the row still holds the refresh token that was just rotated away. The second arm
 * matters when a slow provider let the lease lapse and another worker claimed the row meanwhile:
 * that worker's call with the old (now dead) token ends in `invalid_grant`, re-reads, and finds
 * this pair (S31), whereas dropping the pair would lose the account. A rotating provider
 * accepts a refresh token once, so nobody else can hold a newer pair from it. (A provider that
 * does not rotate — Google — leaves the old refresh token usable by others, and so does an
 * answer without a new one: no second arm for them.) Neither arm holds once
 * the account was disconnected (the row is gone) or another pair was stored since, and then
 * the caller is told `false`.
 *
 * A pair whose refresh token now lives past the reconnect warning window clears an earlier
 * reconnect request (should a provider ever extend a refresh token's life on rotation).
 */
export class RotatedPairStore {
  private waiting: Waiting[] = [];
  private writing = false;

  constructor(
    private readonly db: Database,
    private readonly maxGroup = DEFAULT_MAX_GROUP,
    private readonly writeTimeoutMs = DEFAULT_WRITE_TIMEOUT_MS,
  ) {}

  /**
   * Resolves whether the pair was stored (see the guard above); rejects if the statement failed,
   * or at once (RotatedPairUnwritable) if one of the pair's dates cannot be written.
   */
  store(pair: RotatedPair): Promise<boolean> {
    if (![pair.refreshTokenExpiry, pair.tokenExpiry, pair.nextRefreshAt, pair.refreshedAt].every(writable)) {
      return Promise.reject(new RotatedPairUnwritable());
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ pair, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.nextGroup();
        try {
          const stored = await this.writeWithTimeout(group.map((w) => w.pair));
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

  /**
   * Up to maxGroup waiting pairs, at most one per account: two pairs of one account in one
   * UPDATE … FROM would leave which one wins to the join, yet both callers would hear "stored".
   * (Single flight makes that impossible today; the store does not rely on it.)
   */
  private nextGroup(): Waiting[] {
    const group: Waiting[] = [];
    const later: Waiting[] = [];
    const accounts = new Set<string>();
    for (const waiting of this.waiting) {
      if (group.length < this.maxGroup && !accounts.has(waiting.pair.accountId)) {
        group.push(waiting);
        accounts.add(waiting.pair.accountId);
      } else {
        later.push(waiting);
      }
    }
    this.waiting = later;
    return group;
  }

  private writeWithTimeout(pairs: RotatedPair[]): Promise<Set<string>> {
    const writing = this.write(pairs);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RotatedPairWriteTimeout()), this.writeTimeoutMs);
    });
    // If the write settles after the timeout, nobody listens any more: swallow its rejection.
    writing.catch(() => {});
    return Promise.race([writing, timeout]).finally(() => clearTimeout(timer));
  }

  private async write(pairs: RotatedPair[]): Promise<Set<string>> {
    const iso = (date: Date | null) => date?.toISOString() ?? null;
    const result = await writeStatement(this.db).execute({
      ids: pairs.map((p) => p.accountId),
      leaseIds: pairs.map((p) => p.leaseId),
      previousRefreshTokens: pairs.map((p) => p.previousRefreshToken),
      accessTokens: pairs.map((p) => p.accessToken),
      refreshTokens: pairs.map((p) => p.refreshToken),
      rotated: pairs.map((p) => p.rotated),
      refreshTokenExpiries: pairs.map((p) => iso(p.refreshTokenExpiry)),
      scopes: pairs.map((p) => (p.scopes ? JSON.stringify(p.scopes) : null)),
      tokenExpiries: pairs.map((p) => iso(p.tokenExpiry)),
      nextRefreshAts: pairs.map((p) => iso(p.nextRefreshAt)),
      refreshedAts: pairs.map((p) => iso(p.refreshedAt)),
    });
    return new Set(result.rows.map((r) => r.id));
  }
}

// One statement per group, its values one array per column (src/lib/db/prebuilt.ts).
const writeStatement = prebuiltSql<{ id: string }>(
  "rotated_pairs_write",
  sql`
    with input as (
      select * from unnest(
        ${sql.placeholder("ids")}::text[],
        ${sql.placeholder("leaseIds")}::text[],
        ${sql.placeholder("previousRefreshTokens")}::text[],
        ${sql.placeholder("accessTokens")}::text[],
        ${sql.placeholder("refreshTokens")}::text[],
        ${sql.placeholder("rotated")}::boolean[],
        ${sql.placeholder("refreshTokenExpiries")}::timestamptz[],
        ${sql.placeholder("scopes")}::text[],
        ${sql.placeholder("tokenExpiries")}::timestamptz[],
        ${sql.placeholder("nextRefreshAts")}::timestamptz[],
        ${sql.placeholder("refreshedAts")}::timestamptz[]
      ) as t(id, lease_id, previous_refresh_token, access_token, refresh_token, rotated, refresh_token_expiry,
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
        reconnect_requested_at = case
          when coalesce(i.refresh_token_expiry, a.refresh_token_expiry) >= i.refreshed_at + ${REFRESH_TOKEN_WARNING_MS}::double precision * interval '1 millisecond'
          then null else a.reconnect_requested_at end,
        refresh_lease_id = null,
        refresh_lease_until = null
      from input i
      where a.id = i.id
        and (a.refresh_lease_id = i.lease_id
             or (i.rotated and i.refresh_token is not null and a.refresh_token = i.previous_refresh_token))
      returning a.id, a.user_id, i.refreshed_at
    ),
    logged as (
      insert into account_events (account_id, user_id, kind, created_at)
      select id, user_id, 'refreshed', refreshed_at from stored
    )
    select id from stored
  `,
);
