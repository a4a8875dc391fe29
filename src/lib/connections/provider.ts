import type { SocialAccountRow } from "@/lib/db/schema";
import type { CallbackErrorCode } from "./errors";
import type { PkceEncoding } from "./pkce";
import type { OAuthTokens, UserProfile } from "./types";

/** The network an account or a flow belongs to: the `platform` enum of the database. */
export type Platform = SocialAccountRow["platform"];

/** What a provider's profile call found: the account to store, or a sign-in with nothing to connect. */
export type ProfileResult =
  | { kind: "account"; profile: UserProfile }
  /**
   * The grant is valid but names no account SocialFlow can connect (a Google identity without a
   * YouTube channel). The core stores nothing and gives the grant back.
   */
  | { kind: "no_account" };

/**
 * One social network, described: its endpoints and rules, and the calls that speak its dialect
 * of OAuth 2.0. A provider holds no database, cipher or logger (as Arctic's providers do,
 * https://arcticjs.dev/): the connections core (connection-service.ts, token-refresher.ts,
 * account-service.ts) does state, PKCE, storage, single flight and events for every provider,
 * and asks the provider only what differs. Shaped from TikTok Login Kit and Google OAuth 2.0:
 *
 * | | TikTok | Google (YouTube) |
 * |---|---|---|
 * | scopes joined by | "," | " " |
 * | callback scope parameter | `scopes` | `scope` |
 * | refresh token rotates | yes, the old one dies | no, absent from refresh answers |
 * | PKCE challenge | hex (desktop) or base64url | base64url (RFC 7636) |
 * | revoke with | the access token | either token (ends the whole grant) |
 * | profile | user/info (open_id) | channels.list?mine=true (may be empty) |
 */
export interface ConnectionProvider {
  /** The database's platform value (`social_accounts.platform`, `oauth_states.provider`). */
  readonly platform: Platform;
  /** URL segment of its routes (`/api/oauth/<slug>/…`) and of the success banner. */
  readonly slug: string;
  /** The network's name as a person reads it ("TikTok"), for banners and messages. */
  readonly displayName: string;
  /** Scopes asked for; also what is recorded when the provider does not say what it granted. */
  readonly scopes: readonly string[];
  /** How the provider joins scopes in the authorize URL and in its answers. */
  readonly scopeSeparator: "," | " ";
  /** The callback's query parameter listing the granted scopes. */
  readonly callbackScopeParam: string;
  /**
   * True when every refresh answer carries a new refresh token and the old one stops working
   * (TikTok). False when the refresh token stays (Google): a refresh answer without one never
   * overwrites the stored one, and a stale writer may not use the rotated-token guard.
   */
  readonly rotatesRefreshTokens: boolean;
  readonly pkceEncoding: PkceEncoding;
  /** An http origin whose avatar and media URLs are trusted (a local sandbox); https is always. */
  readonly trustedMediaOrigin?: string;
  /** Plain-words labels of the provider's scope ids, for the accounts page. */
  readonly scopeLabels: Readonly<Record<string, string>>;
  /**
   * The data-plane features the provider supports, each with the scopes that allow it (any one
   * granted suffices). Absent: not offered for this network.
   */
  readonly capabilityScopes: {
    readonly recentVideos?: readonly string[];
    readonly upload?: readonly string[];
    /**
     * Account-level counts for analytics (issue #13); the provider's stats source is then
     * registered next to its recent-videos source (src/lib/services.ts). Without it a snapshot
     * records the recent videos' counts only, and the account card says the count is not shared.
     */
    readonly accountStats?: readonly string[];
  };

  /**
   * True when the person chooses scopes one by one at the provider (Google's granular consent,
   * TikTok's tick boxes), so a requested scope missing from the grant is theirs to give: the
   * accounts page says what they did not allow and offers "Grant permission" (a reconnect asking
   * for the missing scopes).
   */
  readonly missingScopesCanBeGranted?: boolean;
  /** A sentence shown with "Reconnect needed" when the provider has a common cause to name. */
  readonly reconnectHelp?: string;

  /**
   * The authorize URL for this state and PKCE challenge, with the provider's own extra parameters.
   * `scopes`: the missing scopes a "Grant permission" asks for (already checked to be among
   * `scopes`); a provider without incremental consent asks for its full list, which holds them.
   */
  authorizationUrl(params: { state: string; codeChallenge: string; scopes?: readonly string[] }): string;
  /** The code exchange (never retried: a code is single-use, RFC 6749 §4.1.2). */
  exchangeCode(code: string, codeVerifier: string): Promise<OAuthTokens>;
  refresh(refreshToken: string): Promise<OAuthTokens>;
  /** Ends the grant at the provider; the provider picks which token it revokes with. */
  revoke(tokens: { accessToken: string; refreshToken?: string }): Promise<void>;
  /** The connected account's identity; `grantedScopes` decides which extra fields may be asked for. */
  fetchProfile(accessToken: string, grantedScopes?: readonly string[]): Promise<ProfileResult>;
  /** Maps the callback's `?error=` to the fixed list; its description is never shown. */
  mapCallbackError(error: string): CallbackErrorCode;
  /** The provider has ended this grant for good (`invalid_grant`): the account needs a reconnect. */
  isInvalidGrant(error: unknown): boolean;
  /** A failure worth retrying later (network, timeout, 5xx, 429), never a verdict on the grant. */
  isTransient(error: unknown): boolean;
  /** Extra words for a callback error code, where the provider has better ones (no_account). */
  callbackMessage?(code: CallbackErrorCode): string | undefined;
}

/** Finds the provider of a row or a URL. Built once per process from config (src/lib/providers/registry.ts). */
export interface ProviderLookup {
  get(platform: Platform): ConnectionProvider;
}
