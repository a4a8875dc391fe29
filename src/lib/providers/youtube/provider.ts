import type { Redis } from "ioredis";
import type { CallbackErrorCode } from "@/lib/connections/errors";
import type { ConnectionProvider, ProfileResult } from "@/lib/connections/provider";
import type { FetchLike } from "@/lib/connections/provider-http";
import type { OAuthTokens } from "@/lib/connections/types";
import { YouTubeApiClient } from "./api-client";
import { YOUTUBE_ACCOUNT_STATS_SCOPES, YOUTUBE_READ_SCOPES, YOUTUBE_READONLY, YOUTUBE_UPLOAD, type YouTubeConfig } from "./config";
import { NO_CHANNEL_MESSAGE_SHORT, YOUTUBE_RECONNECT_HELP } from "./messages";
import { tokenFailure, YouTubeOAuth } from "./oauth";
import { channelProfile } from "./profile";
import { YouTubeQuotaLedger } from "./quota-ledger";

/** Scopes in plain words for the accounts page (https://developers.google.com/identity/protocols/oauth2/scopes#youtube). */
export const YOUTUBE_SCOPE_LABELS: Readonly<Record<string, string>> = {
  [YOUTUBE_READONLY]: "See your channel and its videos",
  [YOUTUBE_UPLOAD]: "Upload videos to your channel",
};

export interface YouTubeProviderDeps {
  fetch?: FetchLike;
  timeoutMs?: number;
  /** Shares the project's daily quota ledger across instances (one counter per Pacific day). */
  redis?: Redis;
  /** The ledger itself, when a caller already has one (tests). */
  ledger?: YouTubeQuotaLedger;
}

/**
 * YouTube as a ConnectionProvider: Google OAuth 2.0 for web server apps
 * (https://developers.google.com/identity/protocols/oauth2/web-server) with the channel as the
 * account. Google joins scopes with spaces, never rotates refresh tokens (and leaves them out of
 * refresh answers), wants PKCE as base64url (RFC 7636), and a Google identity may have no
 * channel at all: then nothing is stored and the grant is revoked by the core.
 */
export class YouTubeProvider implements ConnectionProvider {
  readonly platform = "YOUTUBE" as const;
  readonly slug = "youtube";
  readonly displayName = "YouTube";
  readonly scopeSeparator = " ";
  readonly callbackScopeParam = "scope";
  readonly rotatesRefreshTokens = false;
  readonly pkceEncoding = "base64url" as const;
  /** Google's consent screen has a checkbox per scope: an unticked one can be granted later. */
  readonly missingScopesCanBeGranted = true;
  /** A project in "Testing" gets refresh tokens that die after 7 days. */
  readonly reconnectHelp = YOUTUBE_RECONNECT_HELP;
  readonly scopeLabels = YOUTUBE_SCOPE_LABELS;
  // Uploading to YouTube is not offered yet: no `upload` capability, so no upload page for it.
  readonly capabilityScopes = { recentVideos: YOUTUBE_READ_SCOPES, accountStats: YOUTUBE_ACCOUNT_STATS_SCOPES } as const;
  readonly scopes: readonly string[];
  readonly trustedMediaOrigin: string;
  readonly oauth: YouTubeOAuth;
  /** The Data API caller with the project's quota ledger; the recent-videos source uses the same one. */
  readonly api: YouTubeApiClient;

  constructor(config: YouTubeConfig, deps: YouTubeProviderDeps = {}) {
    this.scopes = config.scopes;
    this.oauth = new YouTubeOAuth(config, { fetch: deps.fetch, timeoutMs: deps.timeoutMs });
    const ledger = deps.ledger ?? new YouTubeQuotaLedger({ redis: deps.redis });
    this.api = new YouTubeApiClient({ apiBaseUrl: config.apiBaseUrl, ledger, fetch: deps.fetch, timeoutMs: deps.timeoutMs });
    this.trustedMediaOrigin = this.api.mediaOrigin;
  }

  authorizationUrl(params: { state: string; codeChallenge: string }): string {
    return this.oauth.authorizationUrl(params);
  }

  exchangeCode(code: string, codeVerifier: string): Promise<OAuthTokens> {
    return this.oauth.exchangeCode(code, codeVerifier);
  }

  refresh(refreshToken: string): Promise<OAuthTokens> {
    return this.oauth.refresh(refreshToken);
  }

  /** Either token ends the whole grant; the refresh token outlives the access token, so it goes first. */
  revoke(tokens: { accessToken: string; refreshToken?: string }): Promise<void> {
    return this.oauth.revoke(tokens.refreshToken ?? tokens.accessToken);
  }

  /** The channel picked in Google's chooser; a Google identity without one is `no_account`. */
  async fetchProfile(accessToken: string): Promise<ProfileResult> {
    const found = await channelProfile(this.api, accessToken);
    if ("noChannel" in found) return { kind: "no_account" };
    return {
      kind: "account",
      profile: {
        providerUserId: found.providerUserId,
        unionId: undefined,
        displayName: found.displayName,
        avatarUrl: found.avatarUrl,
        providerData: {
          handle: found.handle ?? null,
          subscriberCount: found.subscriberCount ?? null,
          subscribersHidden: found.subscriberCount === undefined,
          videoCount: found.videoCount ?? null,
          uploadsPlaylistId: found.uploadsPlaylistId ?? null,
        },
      },
    };
  }

  mapCallbackError(error: string): CallbackErrorCode {
    return this.oauth.mapAuthorizationError(error);
  }

  isInvalidGrant(error: unknown): boolean {
    return tokenFailure(error) === "invalid_grant";
  }

  isTransient(error: unknown): boolean {
    return tokenFailure(error) === "transient";
  }

  callbackMessage(code: CallbackErrorCode): string | undefined {
    return code === "no_account" ? NO_CHANNEL_MESSAGE_SHORT : undefined;
  }
}
