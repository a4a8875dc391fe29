import { and, eq, sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database } from "@/lib/db/client";
import { prebuilt } from "@/lib/db/prebuilt";
import { socialAccounts, type SocialAccountRow } from "@/lib/db/schema";
import type { TokenCipher } from "@/lib/crypto/token-cipher";
import { systemClock, type Clock } from "@/lib/clock";
import { getLogger, safeError } from "@/lib/log/logger";
import { incrementMetric } from "@/lib/observability/metrics";
import { recordAccountEvent } from "@/lib/connections/events";
import { tokenAad } from "./account-store";
import type { ConnectionProvider, ProviderLookup } from "./provider";
import { revokeQuietly } from "./revoke";
import { refreshBackoffMs } from "./backoff";
import { acquireRefreshLease, REFRESH_LEASE_MS, releaseRefreshLease, updateHoldingLease, updateUnderLease } from "./refresh-lease";
import { RotatedPairStore, RotatedPairUnwritable, type RotatedPair } from "./rotated-pair-store";
import { tokenSchedule, usualNextRefreshAt } from "./token-schedule";
import { reportUnreadable, UNREADABLE_REASON, UNREADABLE_RETRY_MS } from "./unreadable-tokens";
import type { TokenField } from "./account-store";
import { OAuthProviderError, ProviderRequestError } from "./errors";
import type { OAuthTokens } from "./types";

export type RefreshOutcome =
  | { status: "refreshed"; tokenExpiry: Date }
  /** Nothing to do: still fresh, or another caller refreshed it meanwhile. */
  | { status: "fresh"; tokenExpiry: Date }
  | { status: "expired" }
  /** The stored tokens do not decrypt with this deployment's keys: UNREADABLE, retried later. */
  | { status: "unreadable" }
  | { status: "failed"; transient: boolean; retryAt: Date }
  | { status: "not_found" }
  | { status: "no_refresh_token" };

export interface RefreshOptions {
  /** Refresh even though the token is not yet due (the "Refresh" button). */
  force?: boolean;
  /**
   * With `force`: skip if the account was refreshed after this instant — a caller retrying
   * after `access_token_invalid` needs a newer token, not necessarily a second refresh.
   */
  unlessRefreshedAfter?: Date;
}

export interface TokenRefresherDeps {
  db: Database;
  cipher: TokenCipher;
  /** Each row is refreshed by its own platform's provider. */
  providers: ProviderLookup;
  clock?: Clock;
  logger?: Logger;
  leaseMs?: number;
  /** How long a caller waits for another process's refresh before giving up. */
  waitTimeoutMs?: number;
  random?: () => number;
  /**
   * Pauses between attempts to store a pair the provider has already rotated (a database outage
   * must not cost the account). Their sum stays far below the lease.
   */
  storeRetryDelaysMs?: readonly number[];
}

/**
 * Single-flight token refresh (docs/architecture.md "Refresh"; S30–S34), for every provider:
 * each row is refreshed by the provider of its `platform`. A provider that rotates refresh
 * tokens (TikTok: the old one dies when used) makes racing refreshes fatal to the account, so
 * two refreshes of one account never race: one promise per account in this process, one lease
 * per account across processes, and a re-read under the lease before calling the provider.
 */
export class TokenRefresher {
  private readonly inFlight = new Map<string, Promise<RefreshOutcome>>();
  private readonly db: Database;
  private readonly cipher: TokenCipher;
  private readonly providers: ProviderLookup;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly leaseMs: number;
  private readonly waitTimeoutMs: number;
  private readonly random: () => number;
  private readonly storeRetryDelaysMs: readonly number[];
  private readonly pairs: RotatedPairStore;

  constructor(deps: TokenRefresherDeps) {
    this.db = deps.db;
    this.cipher = deps.cipher;
    this.providers = deps.providers;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? getLogger();
    this.leaseMs = deps.leaseMs ?? REFRESH_LEASE_MS;
    this.waitTimeoutMs = deps.waitTimeoutMs ?? 15_000;
    this.random = deps.random ?? Math.random;
    this.storeRetryDelaysMs = deps.storeRetryDelaysMs ?? [250, 500, 1_000, 2_000, 4_000];
    this.pairs = new RotatedPairStore(deps.db);
  }

  refresh(accountId: string, options: RefreshOptions = {}): Promise<RefreshOutcome> {
    const running = this.inFlight.get(accountId);
    if (running) return running;
    const promise = this.refreshOnce(accountId, options).finally(() => this.inFlight.delete(accountId));
    this.inFlight.set(accountId, promise);
    return promise;
  }

  /**
   * Refreshes an account whose lease the caller already holds (the sweeper claims leases
   * in batches). Always releases the lease.
   */
  async refreshLeased(row: SocialAccountRow, leaseId: string): Promise<RefreshOutcome> {
    const running = this.inFlight.get(row.id);
    if (running) {
      await releaseRefreshLease(this.db, row.id, leaseId);
      return running;
    }
    const promise = this.callProvider(row, leaseId).finally(() => this.inFlight.delete(row.id));
    this.inFlight.set(row.id, promise);
    return promise;
  }

  private async refreshOnce(accountId: string, options: RefreshOptions): Promise<RefreshOutcome> {
    const before = await this.read(accountId);
    if (!before) return { status: "not_found" };
    const skip = this.skipReason(before, options);
    if (skip) return skip;

    const deadline = Date.now() + this.waitTimeoutMs;
    for (;;) {
      const lease = await acquireRefreshLease(this.db, accountId, this.clock.now(), this.leaseMs);
      if (lease) {
        // Re-read under the lease: another process may have refreshed since we looked.
        if (!sameRefresh(lease.row, before)) {
          await releaseRefreshLease(this.db, accountId, lease.leaseId);
          return this.outcomeOfOtherAttempt(lease.row, before);
        }
        return this.callProvider(lease.row, lease.leaseId, options.force ?? false);
      }
      const current = await this.read(accountId);
      if (!current) return { status: "not_found" };
      if (!sameRefresh(current, before)) return this.outcomeOfOtherAttempt(current, before);
      if (Date.now() > deadline) {
        return { status: "failed", transient: true, retryAt: new Date(this.clock.now().getTime() + 1000) };
      }
      await sleep(100);
    }
  }

  /**
   * Another caller refreshed this account while we waited. If it failed transiently, we share
   * its failure and its backoff instead of calling the provider again at once (S30, S32).
   */
  private outcomeOfOtherAttempt(current: SocialAccountRow, before: SocialAccountRow): RefreshOutcome {
    if (current.refreshFailures > before.refreshFailures) {
      return { status: "failed", transient: true, retryAt: current.nextRefreshAt ?? this.clock.now() };
    }
    return this.skipReason(current, {}) ?? { status: "fresh", tokenExpiry: current.tokenExpiry };
  }

  private skipReason(row: SocialAccountRow, options: RefreshOptions): RefreshOutcome | undefined {
    if (row.status === "EXPIRED" || row.status === "REVOKED") return { status: "expired" };
    if (!row.refreshToken) return { status: "no_refresh_token" };
    const now = this.clock.now().getTime();
    if (options.force) {
      const after = options.unlessRefreshedAfter;
      if (after && row.lastRefreshedAt && row.lastRefreshedAt > after) return { status: "fresh", tokenExpiry: row.tokenExpiry };
      return undefined;
    }
    const due = row.nextRefreshAt === null || row.nextRefreshAt.getTime() <= now;
    if (due) return undefined;
    return row.status === "UNREADABLE" ? { status: "unreadable" } : { status: "fresh", tokenExpiry: row.tokenExpiry };
  }

  private async callProvider(claimed: SocialAccountRow, leaseId: string, force = false): Promise<RefreshOutcome> {
    let row = claimed;
    if (row.status === "UNREADABLE") {
      const retried = await this.retryUnreadable(row, leaseId, force);
      if (!("refreshWith" in retried)) return retried;
      row = retried.refreshWith;
    }
    if (!row.refreshToken) {
      await releaseRefreshLease(this.db, row.id, leaseId);
      return { status: "no_refresh_token" };
    }
    let refreshToken: string;
    try {
      refreshToken = this.cipher.decrypt(row.refreshToken, tokenAad(row.id, "refresh_token"));
    } catch {
      // A key missing from this deployment, not a verdict of the provider's: never EXPIRED (S58).
      return this.markUnreadable(row, leaseId, "refresh_token", row.refreshToken);
    }
    const provider = this.providers.get(row.platform);
    let tokens: OAuthTokens;
    let now: Date;
    let schedule: ReturnType<typeof tokenSchedule>;
    try {
      tokens = await provider.refresh(refreshToken);
      // An answer naming another account (TikTok's open_id) is not this row's grant: storing it
      // would have this row act on someone else's account. A malformed answer, recorded (S71).
      if (tokens.providerUserId !== undefined && tokens.providerUserId !== row.platformUserId) {
        throw new ProviderRequestError("malformed_response");
      }
      now = this.clock.now();
      // Lifetimes that make no date are a malformed answer, recorded like any other (the lease released).
      schedule = tokenSchedule(tokens, now);
    } catch (error) {
      if (provider.isInvalidGrant(error)) return this.handleInvalidGrant(row, leaseId);
      return this.recordFailure(row, leaseId, error, provider);
    }
    // From here a rotating provider has replaced the pair and the old refresh token is dead: the
    // new one must be stored, through a short database outage if need be, or the account is lost.
    // Encrypted once, so every retry sends the very same ciphertexts: a retry after a write that
    // committed but whose answer was lost then recognises its own pair in the row.
    const pair: RotatedPair = {
      accountId: row.id,
      leaseId,
      previousRefreshToken: row.refreshToken,
      accessToken: this.cipher.encrypt(tokens.accessToken, tokenAad(row.id, "access_token")),
      // An answer without a refresh token (Google's always, TikTok's never) keeps the stored one (S33).
      refreshToken: tokens.refreshToken ? this.cipher.encrypt(tokens.refreshToken, tokenAad(row.id, "refresh_token")) : null,
      rotated: provider.rotatesRefreshTokens && tokens.refreshToken !== undefined,
      refreshTokenExpiry: schedule.refreshTokenExpiry ?? null,
      scopes: tokens.scopes ?? null,
      tokenExpiry: schedule.tokenExpiry,
      nextRefreshAt: schedule.nextRefreshAt,
      refreshedAt: now,
    };
    const stored = await this.storeRotated(row.id, () => this.pairs.store(pair));
    if (!stored) {
      const settled = await this.settleUnstoredPair(row, pair, tokens, provider);
      if (settled) return settled;
    }
    this.logger.info({ event: "token.refreshed", accountId: row.id });
    incrementMetric("sf_token_refreshes_total");
    return { status: "refreshed", tokenExpiry: schedule.tokenExpiry };
  }

  /**
   * The store refused the pair. Either the row already holds it (a write that committed but
   * whose answer was lost: undefined, it is a success), or the row holds a newer pair (the user
   * reconnected meanwhile), or the row is gone (disconnected, S34) — never brought back or
   * overwritten. The orphan grant is revoked only when SocialFlow holds no connection to that
   * provider account any more: a revoke may end every grant of the app for that user (TikTok:
   * https://developers.tiktok.com/doc/oauth-revoke-a-user-access-token "disconnects your app
   * from the user's TikTok account"; Google: revoking either token ends the whole grant), which
   * would end the connection a reconnect has just stored.
   */
  private async settleUnstoredPair(
    row: SocialAccountRow,
    pair: RotatedPair,
    tokens: OAuthTokens,
    provider: ConnectionProvider,
  ): Promise<RefreshOutcome | undefined> {
    const current = await this.read(row.id);
    if (current?.accessToken === pair.accessToken) return undefined;
    if (current) {
      this.logger.info({ event: "token.refresh_superseded", accountId: row.id });
      if (current.status === "UNREADABLE") return { status: "unreadable" };
      return current.status === "EXPIRED" || current.status === "REVOKED" ? { status: "expired" } : { status: "fresh", tokenExpiry: current.tokenExpiry };
    }
    const [linked] = await this.db
      .select({ id: socialAccounts.id })
      .from(socialAccounts)
      .where(and(eq(socialAccounts.platform, row.platform), eq(socialAccounts.platformUserId, row.platformUserId)))
      .limit(1);
    if (!linked) await revokeQuietly(provider, { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken }, "refresh_not_stored", this.logger);
    return { status: "not_found" };
  }

  /**
   * Runs the write of a rotated token pair, retrying database failures with growing pauses
   * (all well inside the lease). If every attempt fails the pair is lost and the account will
   * need a reconnect: that is logged as an error for an operator.
   */
  private async storeRotated(accountId: string, write: () => Promise<boolean>): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        // A pair the store refused to write will be refused again: no retry.
        const pause = error instanceof RotatedPairUnwritable ? undefined : this.storeRetryDelaysMs[attempt];
        if (pause === undefined) {
          this.logger.error({ event: "token.refresh_unsaved", accountId, attempts: attempt + 1, err: safeError(error) });
          incrementMetric("sf_token_refresh_unsaved_total");
          throw error;
        }
        this.logger.warn({ event: "token.refresh_store_retry", accountId, attempt: attempt + 1, err: safeError(error) });
        await sleep(pause);
      }
    }
  }

  /** S31: re-read first — a refresh that lost a race sees invalid_grant for a token already rotated. */
  private async handleInvalidGrant(row: SocialAccountRow, leaseId: string): Promise<RefreshOutcome> {
    const current = await this.read(row.id);
    if (!current) return { status: "not_found" };
    if (current.refreshToken !== row.refreshToken) {
      await releaseRefreshLease(this.db, row.id, leaseId);
      return { status: "fresh", tokenExpiry: current.tokenExpiry };
    }
    return this.markExpired(row, leaseId, "refresh_token_invalid");
  }

  private async markExpired(row: SocialAccountRow, leaseId: string, reason: string): Promise<RefreshOutcome> {
    const now = this.clock.now();
    const stored = await updateUnderLease(this.db, row.id, leaseId, {
      status: "EXPIRED",
      statusReason: reason,
      nextRefreshAt: null,
      updatedAt: now,
    });
    if (stored) {
      await recordAccountEvent(this.db, { accountId: row.id, userId: row.userId, kind: "expired", detail: { reason }, at: now });
      this.logger.warn({ event: "token.expired", accountId: row.id, reason });
      incrementMetric("sf_token_expirations_total", { reason });
    }
    return stored ? { status: "expired" } : { status: "not_found" };
  }

  /**
   * An UNREADABLE account's retry (S58), under its lease. Still unreadable: stays so, retried
   * again in UNREADABLE_RETRY_MS. Readable again (the key is back): ACTIVE with its usual
   * schedule, or — when that refresh is due — `refreshWith` the row as it now is: the caller
   * goes on to the provider under the same lease, and the rotated pair is stored by the usual guarded
   * write. Only the refresh token readable: refreshed too (a new pair replaces the access
   * token; until it is stored the account stays UNREADABLE).
   */
  private async retryUnreadable(
    row: SocialAccountRow,
    leaseId: string,
    force: boolean,
  ): Promise<RefreshOutcome | { refreshWith: SocialAccountRow }> {
    if (row.refreshToken !== null && !this.readable(row.refreshToken, row.id, "refresh_token")) {
      return this.markUnreadable(row, leaseId, "refresh_token", row.refreshToken);
    }
    if (!this.readable(row.accessToken, row.id, "access_token")) {
      return row.refreshToken !== null ? { refreshWith: row } : this.markUnreadable(row, leaseId, "access_token", row.accessToken);
    }
    const now = this.clock.now();
    const nextRefreshAt = usualNextRefreshAt(row, now);
    const restore = { status: "ACTIVE" as const, statusReason: null, updatedAt: now };
    const refreshNow = row.refreshToken !== null && (force || nextRefreshAt.getTime() <= now.getTime());
    const stored = refreshNow
      ? await updateHoldingLease(this.db, row.id, leaseId, restore)
      : await updateUnderLease(this.db, row.id, leaseId, { ...restore, nextRefreshAt });
    if (!stored) return { status: "fresh", tokenExpiry: row.tokenExpiry }; // lease lost: someone else has the row
    await recordAccountEvent(this.db, { accountId: row.id, userId: row.userId, kind: "readable_again", at: now });
    this.logger.info({ event: "token.readable_again", accountId: row.id });
    return refreshNow ? { refreshWith: { ...row, status: "ACTIVE", statusReason: null } } : { status: "fresh", tokenExpiry: row.tokenExpiry };
  }

  /** Tokens kept as they are, retried slowly; recorded once when the account turns UNREADABLE. */
  private async markUnreadable(row: SocialAccountRow, leaseId: string, field: TokenField, ciphertext: string): Promise<RefreshOutcome> {
    const now = this.clock.now();
    const stored = await updateUnderLease(this.db, row.id, leaseId, {
      status: "UNREADABLE",
      statusReason: UNREADABLE_REASON,
      nextRefreshAt: new Date(now.getTime() + UNREADABLE_RETRY_MS),
      updatedAt: now,
    });
    const becameUnreadable = stored && row.status !== "UNREADABLE";
    if (becameUnreadable) {
      await recordAccountEvent(this.db, { accountId: row.id, userId: row.userId, kind: "unreadable", detail: { field }, at: now });
    }
    reportUnreadable(this.logger, this.cipher, { accountId: row.id, field, ciphertext, source: "refresh", becameUnreadable });
    return { status: "unreadable" };
  }

  private readable(ciphertext: string, accountId: string, field: TokenField): boolean {
    try {
      this.cipher.decrypt(ciphertext, tokenAad(accountId, field));
      return true;
    } catch {
      return false;
    }
  }

  /** S32: tokens kept, failure counted, retried later with backoff; never marked expired. */
  private async recordFailure(row: SocialAccountRow, leaseId: string, error: unknown, provider: ConnectionProvider): Promise<RefreshOutcome> {
    const now = this.clock.now();
    const failures = row.refreshFailures + 1;
    const retryAt = new Date(now.getTime() + refreshBackoffMs(failures, this.random));
    const transient = provider.isTransient(error);
    const reason = transient ? "provider_unreachable" : errorReason(error);
    const recorded = await updateUnderLease(this.db, row.id, leaseId, {
      refreshFailures: failures,
      nextRefreshAt: retryAt,
      // An UNREADABLE account keeps saying why it is unavailable until a new pair is stored.
      statusReason: row.status === "UNREADABLE" ? UNREADABLE_REASON : reason,
      updatedAt: now,
    });
    // Our lease was lost (the row was refreshed, disconnected or reclaimed meanwhile): this
    // failure is not the account's state any more.
    if (!recorded) return { status: "failed", transient, retryAt };
    await recordAccountEvent(this.db, {
      accountId: row.id,
      userId: row.userId,
      kind: "refresh_failed",
      detail: { reason, failures },
      at: now,
    });
    this.logger.warn({ event: "token.refresh_failed", accountId: row.id, reason, failures });
    incrementMetric("sf_token_refresh_failures_total", { reason });
    return { status: "failed", transient, retryAt };
  }

  private async read(accountId: string): Promise<SocialAccountRow | undefined> {
    const [row] = await rowById(this.db).execute({ accountId });
    return row;
  }
}

// Read before and after every refresh: built once (src/lib/db/prebuilt.ts).
const rowById = prebuilt("account_row", (db) => db.select().from(socialAccounts).where(eq(socialAccounts.id, sql.placeholder("accountId"))));

/** Two reads of a row describe the same refresh generation. */
function sameRefresh(a: SocialAccountRow, b: SocialAccountRow): boolean {
  return (
    a.refreshToken === b.refreshToken &&
    a.status === b.status &&
    a.refreshFailures === b.refreshFailures &&
    (a.lastRefreshedAt?.getTime() ?? 0) === (b.lastRefreshedAt?.getTime() ?? 0)
  );
}

function errorReason(error: unknown): string {
  if (error instanceof OAuthProviderError) return `oauth_${error.error}`;
  if (error instanceof ProviderRequestError) return `provider_${error.kind}`;
  return "refresh_error";
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
