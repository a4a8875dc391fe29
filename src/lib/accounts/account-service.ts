import { and, desc, eq } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database } from "@/lib/db/client";
import { socialAccounts, type SocialAccountRow } from "@/lib/db/schema";
import type { TokenCipher } from "@/lib/crypto/token-cipher";
import { systemClock, type Clock } from "@/lib/clock";
import { getLogger } from "@/lib/log/logger";
import { tokenAad, type Platform } from "@/lib/oauth/account-store";
import type { BaseOAuthService } from "@/lib/oauth/base-oauth-service";
import type { TokenRefresher } from "@/lib/oauth/token-refresher";
import { hasEvent, recordAccountEvent } from "./events";
import { ManualRefresh } from "./manual-refresh";

export type RefreshResult =
  | { ok: true; tokenExpiry: Date }
  | { ok: false; error: "not_found" | "no_refresh_token" | "expired" | "refresh_failed" }
  /** The account's manual-refresh minute is spent and its attempt did not produce a token. */
  | { ok: false; error: "throttled"; retryAfterSeconds: number };

export type DisconnectResult = { ok: true; revoked: boolean; alreadyDisconnected: boolean } | { ok: false; error: "not_found" };

export interface AccountServiceDeps {
  db: Database;
  cipher: TokenCipher;
  oauth: Pick<BaseOAuthService, "revokeQuietly" | "platform">;
  refresher: Pick<TokenRefresher, "refresh">;
  clock?: Clock;
  logger?: Logger;
}

/** What the routes and pages do with a user's connected accounts, always scoped to that user. */
export class AccountService {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly platform: Platform;
  private readonly manualRefresh: ManualRefresh;

  constructor(private readonly deps: AccountServiceDeps) {
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? getLogger();
    this.platform = deps.oauth.platform;
    this.manualRefresh = new ManualRefresh({ db: deps.db, refresher: deps.refresher, clock: this.clock });
  }

  async listForUser(userId: string): Promise<SocialAccountRow[]> {
    return this.deps.db
      .select()
      .from(socialAccounts)
      .where(and(eq(socialAccounts.userId, userId), eq(socialAccounts.platform, this.platform)))
      .orderBy(desc(socialAccounts.createdAt));
  }

  async findForUser(userId: string, accountId: string): Promise<SocialAccountRow | undefined> {
    const [row] = await this.deps.db
      .select()
      .from(socialAccounts)
      .where(and(eq(socialAccounts.id, accountId), eq(socialAccounts.userId, userId), eq(socialAccounts.platform, this.platform)));
    return row;
  }

  /**
   * The "Refresh" button: a forced, single-flight refresh of the user's own account, at most
   * one token call per account a minute (manual-refresh.ts).
   */
  async refreshForUser(userId: string, accountId: string): Promise<RefreshResult> {
    const account = await this.findForUser(userId, accountId);
    if (!account) return { ok: false, error: "not_found" };
    if (!account.refreshToken) return { ok: false, error: "no_refresh_token" };
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
      case "failed":
        return { ok: false, error: "refresh_failed" };
    }
  }

  /**
   * Disconnect (SECURITY.md S37): revoke at the provider first (best effort, and recorded),
   * then delete. A second disconnect of the same account is a success; another user's
   * account is not found.
   */
  async disconnectForUser(userId: string, accountId: string): Promise<DisconnectResult> {
    const account = await this.findForUser(userId, accountId);
    if (!account) {
      const already = await hasEvent(this.deps.db, { accountId, userId, kind: "disconnected" });
      return already ? { ok: true, revoked: false, alreadyDisconnected: true } : { ok: false, error: "not_found" };
    }
    let revoked = false;
    try {
      const accessToken = this.deps.cipher.decrypt(account.accessToken, tokenAad(account.id, "access_token"));
      revoked = await this.deps.oauth.revokeQuietly(accessToken, "disconnect");
    } catch {
      revoked = false;
    }
    const now = this.clock.now();
    await this.deps.db.transaction(async (tx) => {
      await tx.delete(socialAccounts).where(and(eq(socialAccounts.id, account.id), eq(socialAccounts.userId, userId)));
      if (!revoked) await recordAccountEvent(tx, { accountId: account.id, userId, kind: "revoke_failed", at: now });
      await recordAccountEvent(tx, { accountId: account.id, userId, kind: "disconnected", detail: { revoked }, at: now });
    });
    this.logger.info({ event: "account.disconnected", accountId: account.id, revoked });
    return { ok: true, revoked, alreadyDisconnected: false };
  }
}
