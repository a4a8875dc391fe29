import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Database } from "@/lib/db/client";
import type { TokenCipher } from "@/lib/crypto/token-cipher";
import { systemClock, type Clock } from "@/lib/clock";
import { getLogger, safeError } from "@/lib/log/logger";
import { OAuthFlowError } from "./errors";
import { codeChallengeS256, createCodeVerifier, randomToken } from "./pkce";
import { consumeState, insertState, STATE_TTL_MS } from "./state-store";
import { readHolder, saveConnection } from "./account-store";
import { accountsOf } from "./owned-accounts";
import { parseCallbackUrl, type ParsedCallback } from "./callback-params";
import type { ConnectionProvider, Platform } from "./provider";
import { revokeQuietly, type RevokeTokens } from "./revoke";
import type { CallbackSession, ConnectedAccount, OAuthTokens } from "./types";

export interface ConnectionServiceDeps {
  db: Database;
  cipher: TokenCipher;
  provider: ConnectionProvider;
  clock?: Clock;
  logger?: Logger;
}

/** Where a finished connection lands: fixed, never read from the callback (docs/security.md S39). */
export const ACCOUNTS_PAGE = "/settings/accounts";

/**
 * The OAuth 2.0 authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636, RFC 9700) for any
 * provider: state, PKCE, the callback's checks, the exchange, the profile and the encrypted,
 * transactional save. The provider (provider.ts) supplies its endpoints and dialect only.
 */
export class ConnectionService {
  readonly provider: ConnectionProvider;
  private readonly db: Database;
  private readonly cipher: TokenCipher;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(deps: ConnectionServiceDeps) {
    this.db = deps.db;
    this.cipher = deps.cipher;
    this.provider = deps.provider;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? getLogger();
  }

  get platform(): Platform {
    return this.provider.platform;
  }

  /**
   * Starts a connection: a state row (≥ 32 random bytes, 10-minute expiry, bound to this user
   * and browser) with an encrypted PKCE verifier. Returns the URL to send the browser to.
   * `scopes`: missing scopes a "Grant permission" asks for (the caller checked them against
   * the provider's list).
   */
  async initiateOAuth(userId: string, browserBinding: string, returnTo = ACCOUNTS_PAGE, scopes?: readonly string[]): Promise<string> {
    const now = this.clock.now();
    const id = randomUUID();
    const state = randomToken(32);
    const verifier = createCodeVerifier();
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
    return this.provider.authorizationUrl({ state, codeChallenge: codeChallengeS256(verifier, this.provider.pkceEncoding), scopes });
  }

  /** Reads this provider's redirect (its scope parameter and separator). */
  parseCallback(rawUrl: string): ParsedCallback {
    return parseCallbackUrl(rawUrl, { scopeParam: this.provider.callbackScopeParam });
  }

  /**
   * Finishes a connection from the provider's redirect. Every failure is an OAuthFlowError
   * with a fixed code; no code is exchanged without a valid, unexpired, single-use state
   * belonging to this user and browser.
   */
  async handleCallback(callback: string | ParsedCallback, session: CallbackSession): Promise<ConnectedAccount> {
    const params = typeof callback === "string" ? this.parseCallback(callback) : callback;
    if (!params.ok) throw new OAuthFlowError(params.reason === "missing_state" ? "missing_params" : "invalid_request");
    const provider = this.provider;
    const log = { provider: provider.slug };

    const stateRow = await consumeState(this.db, {
      state: params.state,
      provider: this.platform,
      userId: session.userId,
      browserBinding: session.browserBinding,
    });
    const now = this.clock.now();
    if (!stateRow || stateRow.expiresAt.getTime() <= now.getTime()) throw new OAuthFlowError("invalid_state");

    if (params.error !== undefined) throw new OAuthFlowError(provider.mapCallbackError(params.error));
    if (params.code === undefined) throw new OAuthFlowError("missing_params");

    let verifier: string;
    try {
      verifier = this.cipher.decrypt(stateRow.codeVerifier, { table: "oauth_states", rowId: stateRow.id, field: "code_verifier" });
    } catch (error) {
      this.logger.error({ event: "oauth.state_verifier_unreadable", ...log, err: safeError(error) });
      throw new OAuthFlowError("oauth_failed");
    }

    let tokens: OAuthTokens;
    try {
      // A code is used once: never retried, whatever the failure (S16, RFC 6749 §4.1.2).
      tokens = await provider.exchangeCode(params.code, verifier);
    } catch (error) {
      this.logger.warn({ event: "oauth.token_exchange_failed", ...log, err: safeError(error) });
      throw new OAuthFlowError("token_exchange_failed");
    }

    // Whose grant this is, once known: the token answer's account (TikTok's open_id), else the profile's.
    let grantAccount = tokens.providerUserId;
    try {
      const scopes = tokens.scopes ?? params.scopes ?? [...provider.scopes];
      // When the token answer already names the account (TikTok's open_id), who holds it is read
      // while the profile call is in flight: the callback no longer waits for that round trip
      // after the provider's (docs/performance.md, "Request path").
      const [found, holderRead] = await Promise.all([
        provider.fetchProfile(tokens.accessToken, scopes),
        tokens.providerUserId === undefined ? undefined : readHolder(this.db, this.platform, tokens.providerUserId).then((holder) => ({ holder })),
      ]);
      // A valid grant with nothing to connect: nothing stored, the grant given back (below).
      if (found.kind === "no_account") throw new OAuthFlowError("no_account");
      const profile = found.profile;
      grantAccount ??= profile.providerUserId;
      if (tokens.providerUserId !== undefined && tokens.providerUserId !== profile.providerUserId) {
        throw new OAuthFlowError("oauth_failed");
      }
      const connection = { userId: session.userId, platform: this.platform, tokens, profile, scopes, now: this.clock.now() };
      const saved = await saveConnection(this.db, this.cipher, connection, holderRead);
      this.logger.info({ event: saved.reconnected ? "oauth.reconnected" : "oauth.connected", ...log, accountId: saved.id });
      return saved;
    } catch (error) {
      // The account already belongs to someone else: their link must keep working, so the fresh
      // grant is simply dropped (revoking could end the other user's grant at the provider).
      if (error instanceof OAuthFlowError && error.code === "account_already_linked") throw error;
      // Anything else after a successful exchange: nothing was stored (one transaction), so
      // give the fresh grant back (S23), best effort — unless a connection SocialFlow already
      // holds could end with it (S72).
      const noAccount = error instanceof OAuthFlowError && error.code === "no_account";
      if (noAccount || (await this.mayRevokeFreshGrant(session.userId, grantAccount))) {
        await this.revokeQuietly(tokens, noAccount ? "no_account" : "after_failed_connect");
      }
      if (!noAccount) {
        this.logger.error({ event: "oauth.connect_failed", ...log, err: safeError(error) });
      }
      throw error instanceof OAuthFlowError ? error : new OAuthFlowError("oauth_failed");
    }
  }

  /**
   * Whether a fresh grant whose connect failed may be revoked (S72). A revoke may end every
   * grant of the app for that provider account (TikTok's revoke "disconnects your app from the
   * user's TikTok account"; revoking either Google token ends the whole grant), so a reconnect
   * that failed after its exchange — a profile call answering 5xx, a database write refused —
   * must not revoke: it would end the connection already stored. So: only when no row holds
   * that provider account or, while the account is not known yet, when this user holds none on
   * this network. If that cannot be read (the database is down), the S23 best effort: revoke.
   */
  private async mayRevokeFreshGrant(userId: string, providerUserId: string | undefined): Promise<boolean> {
    try {
      if (providerUserId !== undefined) return (await readHolder(this.db, this.platform, providerUserId)) === undefined;
      return (await accountsOf(this.db, userId, this.platform).list()).length === 0;
    } catch {
      return true;
    }
  }

  /** Revokes without throwing; returns whether the provider confirmed it. */
  revokeQuietly(tokens: RevokeTokens, reason: string): Promise<boolean> {
    return revokeQuietly(this.provider, tokens, reason, this.logger);
  }
}

export { STATE_TTL_MS };
