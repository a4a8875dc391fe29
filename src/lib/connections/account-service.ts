import { and, eq } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database } from "@/lib/db/client";
import { socialAccounts } from "@/lib/db/schema";
import type { TokenCipher } from "@/lib/crypto/token-cipher";
import { systemClock, type Clock } from "@/lib/clock";
import { getLogger } from "@/lib/log/logger";
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
   * Disconnect (docs/security.md S37): revoke at the provider first (best effort, and recorded),
   * then delete. A second disconnect of the same account is a success; another user's
   * account is not found.
   */
  async disconnectForUser(userId: string, accountId: string, platform?: Platform): Promise<DisconnectResult> {
    const owner = this.of(userId, platform);
    const account = (await owner.get(accountId))?.row;
    if (!account) {
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
    await this.deps.db.transaction(async (tx) => {
      await tx.delete(socialAccounts).where(and(eq(socialAccounts.id, account.id), eq(socialAccounts.userId, userId)));
      if (!revoked) await recordAccountEvent(tx, { accountId: account.id, userId, kind: "revoke_failed", at: now });
      await recordAccountEvent(tx, { accountId: account.id, userId, kind: "disconnected", detail: { revoked }, at: now });
    });
    accountChanged(account.id);
    this.logger.info({ event: "account.disconnected", accountId: account.id, revoked });
    return { ok: true, revoked, alreadyDisconnected: false };
  }
}
