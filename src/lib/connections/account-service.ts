import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database } from "@/lib/db/client";
import { socialAccounts } from "@/lib/db/schema";
import type { TokenCipher } from "@/lib/crypto/token-cipher";
import { systemClock, type Clock } from "@/lib/clock";
import { getLogger, safeError } from "@/lib/log/logger";
import { tokenAad } from "./account-store";
import type { Platform, ProviderLookup } from "./provider";
import { revokeQuietly } from "./revoke";
import type { TokenRefresher } from "./token-refresher";
import { reportUnreadable } from "./unreadable-tokens";
import { recordAccountEvent } from "./events";
import { accountChanged } from "./account-cache";
import { ManualRefresh } from "./manual-refresh";
import { accountsOf, type OwnerAccounts } from "./owned-accounts";

export type RefreshResult =
  | { ok: true; tokenExpiry: Date }
  | { ok: false; error: "not_found" | "no_refresh_token" | "expired" | "refresh_failed" | "unavailable" }
  /** The account's manual-refresh minute is spent and its attempt did not produce a token. */
  | { ok: false; error: "throttled"; retryAfterSeconds: number };

/**
 * How long a disconnect's claim on the row holds: longer than the provider's revoke can take
 * (its request timeout), so a live claimant never loses it, short enough that a disconnect which
 * died between revoke and delete is finished by the user's next try soon after.
 */
export const DISCONNECT_CLAIM_MS = 60_000;

export type DisconnectResult = { ok: true; revoked: boolean; alreadyDisconnected: boolean } | { ok: false; error: "not_found" };

export interface AccountServiceDeps {
  db: Database;
  cipher: TokenCipher;
  providers: ProviderLookup;
  refresher: Pick<TokenRefresher, "refresh">;
  clock?: Clock;
  logger?: Logger;
}

/** What the routes and pages do with a user's connected accounts, always scoped to that user. */
export class AccountService {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly manualRefresh: ManualRefresh;

  constructor(private readonly deps: AccountServiceDeps) {
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? getLogger();
    this.manualRefresh = new ManualRefresh({ db: deps.db, refresher: deps.refresher, clock: this.clock });
  }

  /** The one way to a user's accounts (owned-accounts.ts); of one platform when a route names it. */
  private of(userId: string, platform: Platform | undefined): OwnerAccounts {
    return accountsOf(this.deps.db, userId, platform);
  }

  /**
   * The "Refresh" button: a forced, single-flight refresh of the user's own account, at most
   * one token call per account a minute (manual-refresh.ts).
   */
  async refreshForUser(userId: string, accountId: string, platform?: Platform): Promise<RefreshResult> {
    const account = await this.of(userId, platform).get(accountId);
    if (!account) return { ok: false, error: "not_found" };
    if (!account.row.refreshToken) return { ok: false, error: "no_refresh_token" };
    const outcome = await this.manualRefresh.refresh(account);
    switch (outcome.status) {
      case "throttled":
        return { ok: false, error: "throttled", retryAfterSeconds: outcome.retryAfterSeconds };
      case "refreshed":
      case "fresh":
        return { ok: true, tokenExpiry: outcome.tokenExpiry };
      case "not_found":
        return { ok: false, error: "not_found" };
      case "no_refresh_token":
        return { ok: false, error: "no_refresh_token" };
      case "expired":
        return { ok: false, error: "expired" };
      case "unreadable":
        return { ok: false, error: "unavailable" };
      case "failed":
        return { ok: false, error: "refresh_failed" };
    }
  }

  /**
   * Disconnect (docs/security.md S37, S68): revoke at the provider first (best effort, and
   * recorded), then delete. A second disconnect of the same account is a success; another user's
   * account is not found.
   *
   * Single winner: the row is first claimed with one conditional UPDATE (`disconnect_claim_*`),
   * and only the request that claimed it revokes, deletes and records `disconnected` (and
   * `revoke_failed`). A concurrent disconnect, in this process or another, finds the row claimed
   * and is answered "already disconnected" without a revoke. The row stays while the winner
   * revokes (revoke before delete); the claim lapses after DISCONNECT_CLAIM_MS, so a disconnect
   * that died between revoke and delete is finished by the next one.
   *
   * A reconnect of the account that lands while the winner revokes clears the claim (S69): it
   * came later and its user was told "connected", so the winner deletes nothing. But TikTok's
   * revoke ends every grant the app holds for that user, and Google's the whole grant, so the
   * reconnect's tokens may have died with the old ones, depending on which reached the provider
   * first. The winner therefore refreshes the reconnected account at once: a dead grant is then
   * shown as "reconnect" now (invalid_grant → EXPIRED), not found days later; a live one just rotates.
   */
  async disconnectForUser(userId: string, accountId: string, platform?: Platform): Promise<DisconnectResult> {
    const owner = this.of(userId, platform);
    const claimId = randomUUID();
    const claimedAt = this.clock.now();
    const claimed = await owner.claimForDisconnect(accountId, { claimId, until: new Date(claimedAt.getTime() + DISCONNECT_CLAIM_MS), now: claimedAt });
    const account = claimed?.row;
    if (!account) {
      // Claimed by a disconnect in flight (it revokes and records), or gone already.
      if (await owner.get(accountId)) return { ok: true, revoked: false, alreadyDisconnected: true };
      const already = await owner.wasDisconnected(accountId);
      return already ? { ok: true, revoked: false, alreadyDisconnected: true } : { ok: false, error: "not_found" };
    }
    let revoked = false;
    let accessToken: string | undefined;
    let refreshToken: string | undefined;
    try {
      accessToken = this.deps.cipher.decrypt(account.accessToken, tokenAad(account.id, "access_token"));
    } catch {
      // Revoke needs the token; the row is deleted all the same (recorded as revoke_failed).
      const input = { accountId: account.id, field: "access_token" as const, ciphertext: account.accessToken };
      reportUnreadable(this.logger, this.deps.cipher, { ...input, source: "disconnect", becameUnreadable: account.status !== "UNREADABLE" });
    }
    if (accessToken !== undefined && account.refreshToken) {
      // Offered to providers that revoke with it (either token ends a Google grant); optional.
      try {
        refreshToken = this.deps.cipher.decrypt(account.refreshToken, tokenAad(account.id, "refresh_token"));
      } catch {
        refreshToken = undefined;
      }
    }
    if (accessToken !== undefined) {
      const provider = this.deps.providers.get(account.platform);
      revoked = await revokeQuietly(provider, { accessToken, refreshToken }, "disconnect", this.logger);
    }
    const now = this.clock.now();
    const deleted = await this.deps.db.transaction(async (tx) => {
      // Only under our claim: if it lapsed and another disconnect took the row over, that one records.
      const rows = await tx
        .delete(socialAccounts)
        .where(and(eq(socialAccounts.id, account.id), eq(socialAccounts.userId, userId), eq(socialAccounts.disconnectClaimId, claimId)))
        .returning({ id: socialAccounts.id });
      if (rows.length === 0) return false;
      if (!revoked) await recordAccountEvent(tx, { accountId: account.id, userId, kind: "revoke_failed", at: now });
      await recordAccountEvent(tx, { accountId: account.id, userId, kind: "disconnected", detail: { revoked }, at: now });
      return true;
    });
    accountChanged(account.id);
    if (!deleted) {
      if (revoked) await this.checkGrantAfterRevoke(owner, account.id);
      return { ok: true, revoked, alreadyDisconnected: true };
    }
    this.logger.info({ event: "account.disconnected", accountId: account.id, revoked });
    return { ok: true, revoked, alreadyDisconnected: false };
  }

  /** S69: after our revoke, a reconnected account's grant is checked with one forced refresh (never throws). */
  private async checkGrantAfterRevoke(owner: OwnerAccounts, accountId: string): Promise<void> {
    try {
      // Reconnected: there and unclaimed (a row another disconnect has taken over is its to finish).
      const current = await owner.get(accountId);
      if (!current || current.row.disconnectClaimId !== null) return;
      const outcome = await this.deps.refresher.refresh(accountId, { force: true });
      this.logger.info({ event: "account.reconnected_during_disconnect", accountId, refresh: outcome.status });
    } catch (err) {
      this.logger.warn({ event: "account.reconnect_check_failed", accountId, err: safeError(err) });
    }
  }
}
