import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Database } from "@/lib/db/client";
import type { TokenCipher } from "@/lib/crypto/token-cipher";
import { systemClock, type Clock } from "@/lib/clock";
import { getLogger, safeError } from "@/lib/log/logger";
import { OAuthFlowError, OAuthProviderError, ProviderRequestError, type CallbackErrorCode } from "./errors";
import { codeChallengeS256, createCodeVerifier, randomToken, type PkceEncoding } from "./pkce";
import { consumeState, insertState, STATE_TTL_MS, sweepExpiredStates } from "./state-store";
import { saveConnection, tokenAad, type Platform, type TokenField } from "./account-store";
import { parseCallbackUrl, type ParsedCallback } from "./callback-params";
import { tokenSchedule } from "./token-schedule";
import type { FetchLike } from "./provider-http";
import type { CallbackSession, ConnectedAccount, OAuthTokens, UserProfile } from "./types";

export interface OAuthServiceDeps {
  db: Database;
  cipher: TokenCipher;
  clock?: Clock;
  logger?: Logger;
  /** For tests that need a fake transport; production uses global fetch. */
  fetch?: FetchLike;
  timeoutMs?: number;
}

/** Where a finished connection lands: fixed, never read from the callback (SECURITY.md S39). */
export const ACCOUNTS_PAGE = "/settings/accounts";

/**
 * Provider-agnostic OAuth 2.0 authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636,
 * RFC 9700): state, PKCE, exchange, profile, encrypted persistence. A provider subclass
 * supplies its endpoints and response shapes only — adding one is one small file.
 */
export abstract class BaseOAuthService {
  abstract readonly provider: string;
  abstract readonly platform: Platform;
  protected abstract readonly pkceEncoding: PkceEncoding;

  protected readonly db: Database;
  protected readonly cipher: TokenCipher;
  protected readonly clock: Clock;
  protected readonly logger: Logger;
  protected readonly fetchImpl: FetchLike | undefined;
  protected readonly timeoutMs: number | undefined;

  constructor(deps: OAuthServiceDeps) {
    this.db = deps.db;
    this.cipher = deps.cipher;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? getLogger();
    this.fetchImpl = deps.fetch;
    this.timeoutMs = deps.timeoutMs;
  }

  /** The provider's authorize URL for these PKCE and state values. */
  protected abstract buildAuthorizationUrl(params: { state: string; codeChallenge: string }): string;
  abstract exchangeCodeForTokens(code: string, codeVerifier: string): Promise<OAuthTokens>;
  abstract getUserProfile(accessToken: string): Promise<UserProfile>;
  abstract refreshAccessToken(refreshToken: string): Promise<OAuthTokens>;
  abstract revokeToken(accessToken: string): Promise<void>;
  /** Maps a provider's `?error=` on the callback to our fixed list; its description is never shown. */
  protected abstract mapAuthorizationError(error: string): CallbackErrorCode;
  /** Scopes asked for, to fall back on when the provider says nothing about what it granted. */
  protected abstract readonly requestedScopes: readonly string[];

  /**
   * Starts a connection: a state row (≥ 32 random bytes, 10-minute expiry, bound to this user
   * and browser) with an encrypted PKCE verifier. Returns the URL to send the browser to.
   */
  async initiateOAuth(userId: string, browserBinding: string, returnTo = ACCOUNTS_PAGE): Promise<string> {
    const now = this.clock.now();
    const id = randomUUID();
    const state = randomToken(32);
    const verifier = createCodeVerifier();
    await sweepExpiredStates(this.db, now);
    await insertState(this.db, {
      id,
      state,
      provider: this.platform,
      userId,
      encryptedVerifier: this.cipher.encrypt(verifier, { table: "oauth_states", rowId: id, field: "code_verifier" }),
      browserBinding,
      returnTo,
      now,
    });
    return this.buildAuthorizationUrl({ state, codeChallenge: codeChallengeS256(verifier, this.pkceEncoding) });
  }

  /**
   * Finishes a connection from the provider's redirect. Every failure is an OAuthFlowError
   * with a fixed code; no code is exchanged without a valid, unexpired, single-use state
   * belonging to this user and browser.
   */
  async handleCallback(callback: string | ParsedCallback, session: CallbackSession): Promise<ConnectedAccount> {
    const params = typeof callback === "string" ? parseCallbackUrl(callback) : callback;
    if (!params.ok) throw new OAuthFlowError(params.reason === "missing_state" ? "missing_params" : "invalid_request");

    const stateRow = await consumeState(this.db, {
      state: params.state,
      provider: this.platform,
      userId: session.userId,
      browserBinding: session.browserBinding,
    });
    const now = this.clock.now();
    if (!stateRow || stateRow.expiresAt.getTime() <= now.getTime()) throw new OAuthFlowError("invalid_state");

    if (params.error !== undefined) throw new OAuthFlowError(this.mapAuthorizationError(params.error));
    if (params.code === undefined) throw new OAuthFlowError("missing_params");

    let verifier: string;
    try {
      verifier = this.cipher.decrypt(stateRow.codeVerifier, { table: "oauth_states", rowId: stateRow.id, field: "code_verifier" });
    } catch (error) {
      this.logger.error({ event: "oauth.state_verifier_unreadable", provider: this.provider, err: safeError(error) });
      throw new OAuthFlowError("oauth_failed");
    }

    let tokens: OAuthTokens;
    try {
      // A code is used once: never retried, whatever the failure (S16, RFC 6749 §4.1.2).
      tokens = await this.exchangeCodeForTokens(params.code, verifier);
    } catch (error) {
      this.logger.warn({ event: "oauth.token_exchange_failed", provider: this.provider, err: safeError(error) });
      throw new OAuthFlowError("token_exchange_failed");
    }

    try {
      const profile = await this.getUserProfile(tokens.accessToken);
      if (tokens.providerUserId !== undefined && tokens.providerUserId !== profile.providerUserId) {
        throw new OAuthFlowError("oauth_failed");
      }
      const scopes = tokens.scopes ?? params.scopes ?? [...this.requestedScopes];
      const saved = await saveConnection(this.db, this.cipher, {
        userId: session.userId,
        platform: this.platform,
        tokens,
        profile,
        scopes,
        now: this.clock.now(),
      });
      this.logger.info({ event: saved.reconnected ? "oauth.reconnected" : "oauth.connected", provider: this.provider, accountId: saved.id });
      return saved;
    } catch (error) {
      // The account already belongs to someone else: their link must keep working, so the fresh
      // grant is simply dropped (revoking could end the other user's grant at the provider).
      if (error instanceof OAuthFlowError && error.code === "account_already_linked") throw error;
      // Anything else after a successful exchange: nothing was stored (one transaction), so
      // give the fresh grant back (S23), best effort.
      await this.revokeQuietly(tokens.accessToken, "after_failed_connect");
      this.logger.error({ event: "oauth.connect_failed", provider: this.provider, err: safeError(error) });
      throw error instanceof OAuthFlowError ? error : new OAuthFlowError("oauth_failed");
    }
  }

  /** Revokes without throwing; returns whether the provider confirmed it. */
  async revokeQuietly(accessToken: string, reason: string): Promise<boolean> {
    try {
      await this.revokeToken(accessToken);
      return true;
    } catch (error) {
      this.logger.warn({ event: "oauth.revoke_failed", provider: this.provider, reason, err: safeError(error) });
      return false;
    }
  }

  encryptToken(value: string, accountId: string, field: TokenField): string {
    return this.cipher.encrypt(value, tokenAad(accountId, field));
  }

  decryptToken(ciphertext: string, accountId: string, field: TokenField): string {
    return this.cipher.decrypt(ciphertext, tokenAad(accountId, field));
  }

  /** Access-token expiry from the provider's `expires_in`. */
  getTokenExpiry(tokens: Pick<OAuthTokens, "expiresIn" | "refreshExpiresIn">): Date {
    return tokenSchedule(tokens, this.clock.now()).tokenExpiry;
  }

  /** True for failures worth retrying later (network, timeout, 5xx, 429). */
  static isTransient(error: unknown): boolean {
    return error instanceof ProviderRequestError && error.transient;
  }

  static isInvalidGrant(error: unknown): boolean {
    return error instanceof OAuthProviderError && error.error === "invalid_grant";
  }
}

export { STATE_TTL_MS };
