import { z } from "zod";
import type { AppConfig } from "@/lib/config/config";
import { ConfigError } from "@/lib/config/config";
import { parseTikTokEnvelope } from "@/lib/providers/tiktok/api-response";
import { isInvalidGrantError, isTransientError, OAuthProviderError, ProviderRequestError, type CallbackErrorCode } from "@/lib/connections/errors";
import { providerRequest, type FetchLike } from "@/lib/connections/provider-http";
import type { ConnectionProvider, ProfileResult } from "@/lib/connections/provider";
import { TIKTOK_ACCOUNT_STATS_SCOPES, USER_FIELDS, USER_FIELDS_BY_SCOPE, userInfoSchema, type TikTokUser } from "./api-schemas";
import type { ProviderData } from "@/lib/db/schema";
import { ownValue } from "@/lib/own-key";
import { cleanAvatarUrl, cleanDisplayName, cleanHandle } from "@/lib/connections/profile-sanitize";
import { splitScopes } from "@/lib/connections/callback-params";
import { MAX_TOKEN_LIFETIME_S } from "@/lib/connections/token-schedule";
import type { PkceEncoding } from "@/lib/connections/pkce";
import type { OAuthTokens } from "@/lib/connections/types";

/** RFC 6749 §5.2 error values TikTok uses (https://developers.tiktok.com/doc/oauth-user-access-token-management); anything else is "unknown_error". */
export const OAUTH_ERROR_CODES = [
  "access_denied",
  "invalid_client",
  "invalid_grant",
  "invalid_request",
  "invalid_scope",
  "unauthorized_client",
  "unsupported_grant_type",
  "unsupported_response_type",
] as const;
const OAUTH_ERRORS: ReadonlySet<string> = new Set(OAUTH_ERROR_CODES);

/**
 * TikTok's token success body is flat (a nested `data.data` belongs to the retired v1 API).
 * Lifetimes (24 h access, 365 d refresh) are capped at the core's MAX_TOKEN_LIFETIME_S.
 */
const tokenResponseSchema = z.object({
  access_token: z.string().min(1).max(4096),
  expires_in: z.number().int().positive().max(MAX_TOKEN_LIFETIME_S),
  open_id: z.string().min(1).max(256),
  refresh_token: z.string().min(1).max(4096).optional(),
  refresh_expires_in: z.number().int().nonnegative().max(MAX_TOKEN_LIFETIME_S).optional(),
  scope: z.string().max(1024).optional(),
  token_type: z.string().optional(),
});

export type TikTokOAuthConfig = AppConfig["tiktok"];

export interface ProviderTransport {
  /** For tests that need a fake transport; production uses global fetch. */
  fetch?: FetchLike;
  timeoutMs?: number;
}

/** Scopes in plain words (https://developers.tiktok.com/doc/tiktok-api-scopes). */
export const TIKTOK_SCOPE_LABELS: Readonly<Record<string, string>> = {
  "user.info.basic": "Profile (name, avatar)",
  "user.info.profile": "Profile details",
  "user.info.stats": "Profile statistics",
  "video.list": "Your videos and their stats",
  "video.upload": "Upload videos to your inbox",
  "video.publish": "Post videos directly",
};

/**
 * TikTok Login Kit v2 (https://developers.tiktok.com/doc/login-kit-web,
 * https://developers.tiktok.com/doc/oauth-user-access-token-management). TikTok names the
 * client id `client_key`, separates scopes with commas, rotates the refresh token on every
 * refresh, answers token errors in the body (sometimes with HTTP 200), and wants PKCE as hex
 * for desktop apps.
 */
export class TikTokProvider implements ConnectionProvider {
  readonly platform = "TIKTOK" as const;
  readonly slug = "tiktok";
  readonly displayName = "TikTok";
  readonly scopeSeparator = ",";
  readonly callbackScopeParam = "scopes";
  readonly rotatesRefreshTokens = true;
  readonly scopeLabels = TIKTOK_SCOPE_LABELS;
  readonly capabilityScopes = {
    recentVideos: ["video.list"],
    upload: ["video.upload", "video.publish"],
    accountStats: TIKTOK_ACCOUNT_STATS_SCOPES,
  } as const;
  /**
   * TikTok's consent page lets the person untick scopes one by one: a scope SocialFlow asked for
   * and did not get is theirs to give, and "Grant permission" asks again. (A scope TikTok has
   * not approved for the app is not asked for at all: see `upload` in the view model.)
   */
  readonly missingScopesCanBeGranted = true;
  readonly pkceEncoding: PkceEncoding;
  readonly scopes: readonly string[];
  readonly trustedMediaOrigin: string;
  readonly authorizeEndpoint: string;
  readonly tokenUrl: string;
  readonly revokeUrl: string;
  readonly profileUrl: string;
  private readonly fetchImpl: FetchLike | undefined;
  private readonly timeoutMs: number | undefined;

  constructor(
    private readonly config: TikTokOAuthConfig,
    transport: ProviderTransport = {},
  ) {
    this.pkceEncoding = config.pkceEncoding;
    this.scopes = config.scopes;
    this.trustedMediaOrigin = config.apiBaseUrl;
    this.authorizeEndpoint = config.authUrl;
    this.tokenUrl = `${config.apiBaseUrl}/v2/oauth/token/`;
    this.revokeUrl = `${config.apiBaseUrl}/v2/oauth/revoke/`;
    this.profileUrl = `${config.apiBaseUrl}/v2/user/info/`;
    this.fetchImpl = transport.fetch;
    this.timeoutMs = transport.timeoutMs;
  }

  /**
   * Always the full scope list, also for "Grant permission": TikTok has no incremental consent,
   * and the new token carries exactly what this consent grants, so asking for only the missing
   * scope would drop the others.
   */
  authorizationUrl({ state, codeChallenge }: { state: string; codeChallenge: string; scopes?: readonly string[] }): string {
    const url = new URL(this.authorizeEndpoint);
    url.search = new URLSearchParams({
      client_key: this.getClientKey(),
      scope: this.scopes.join(this.scopeSeparator),
      response_type: "code",
      redirect_uri: this.config.redirectUri,
      state,
      code_challenge: codeChallenge,
      code_challenge_method: "S256",
    }).toString();
    return url.toString();
  }

  async exchangeCode(code: string, codeVerifier: string): Promise<OAuthTokens> {
    return this.tokenRequest({
      client_key: this.getClientKey(),
      client_secret: this.getClientSecret(),
      code,
      grant_type: "authorization_code",
      redirect_uri: this.config.redirectUri,
      code_verifier: codeVerifier,
    });
  }

  async refresh(refreshToken: string): Promise<OAuthTokens> {
    return this.tokenRequest({
      client_key: this.getClientKey(),
      client_secret: this.getClientSecret(),
      grant_type: "refresh_token",
      refresh_token: refreshToken,
    });
  }

  /**
   * https://developers.tiktok.com/doc/oauth-revoke-a-user-access-token: revokes with the access
   * token, and disconnects the app from the user's account altogether; success is `{}`.
   */
  async revoke({ accessToken }: { accessToken: string }): Promise<void> {
    const response = await this.post(this.revokeUrl, {
      client_key: this.getClientKey(),
      client_secret: this.getClientSecret(),
      token: accessToken,
    });
    this.throwIfOAuthError(response.json, response.status);
    if (response.status < 200 || response.status >= 300 || response.json === undefined) {
      throw new ProviderRequestError(response.json === undefined ? "malformed_response" : "http_status", response.status);
    }
  }

  /**
   * https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info: GET with `fields` in the query;
   * `username` (user.info.profile) and `follower_count` (user.info.stats) only when granted.
   */
  async fetchProfile(accessToken: string, grantedScopes: readonly string[] = []): Promise<ProfileResult> {
    const extra = grantedScopes.flatMap((scope) => ownValue(USER_FIELDS_BY_SCOPE, scope) ?? []);
    const response = await providerRequest(
      `${this.profileUrl}?fields=${[USER_FIELDS, ...extra].join(",")}`,
      { method: "GET", headers: { Authorization: `Bearer ${accessToken}` } },
      { timeoutMs: this.timeoutMs, fetch: this.fetchImpl },
    );
    const { user } = parseTikTokEnvelope(response, userInfoSchema);
    return {
      kind: "account",
      profile: {
        providerUserId: user.open_id,
        unionId: user.union_id || undefined,
        displayName: cleanDisplayName(user.display_name ?? "", "TikTok user"),
        avatarUrl: cleanAvatarUrl(user.avatar_url, this.config.apiBaseUrl),
        providerData: tikTokProfileData(user),
      },
    };
  }

  mapCallbackError(error: string): CallbackErrorCode {
    return error === "access_denied" ? "access_denied" : "provider_error";
  }

  /**
   * `invalid_grant` ends access, except when it comes with a 5xx or 429: that is TikTok's
   * trouble (S32), retried like any other, as Google's provider does (S74). A dead token is
   * answered invalid_grant again on the retry, with a 4xx or a 200.
   */
  isInvalidGrant(error: unknown): boolean {
    return isInvalidGrantError(error) && !isTransientError(error);
  }

  isTransient(error: unknown): boolean {
    return isTransientError(error);
  }

  private async tokenRequest(form: Record<string, string>): Promise<OAuthTokens> {
    const response = await this.post(this.tokenUrl, form);
    // An error body is an error whatever the HTTP status: TikTok has sent them with 200 (S20).
    this.throwIfOAuthError(response.json, response.status);
    if (response.status < 200 || response.status >= 300) throw new ProviderRequestError("http_status", response.status);
    const parsed = tokenResponseSchema.safeParse(response.json);
    if (!parsed.success) throw new ProviderRequestError("malformed_response", response.status);
    const body = parsed.data;
    return {
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      expiresIn: body.expires_in,
      refreshExpiresIn: body.refresh_expires_in,
      scopes: body.scope === undefined ? undefined : splitScopes(body.scope),
      providerUserId: body.open_id,
    };
  }

  private post(url: string, form: Record<string, string>) {
    return providerRequest(
      url,
      {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        body: new URLSearchParams(form).toString(),
      },
      { timeoutMs: this.timeoutMs, fetch: this.fetchImpl },
    );
  }

  private throwIfOAuthError(json: Record<string, unknown> | undefined, status: number): void {
    const error = json?.error;
    if (error === undefined || error === null || error === "") return;
    // Any other `error` member (an object, a number, true/false) makes the answer an error too:
    // a body that says both "here is a token" and "error" is never taken as a success (S20).
    throw new OAuthProviderError(typeof error === "string" && OAUTH_ERRORS.has(error) ? error : "unknown_error", status);
  }

  private getClientKey(): string {
    if (!this.config.clientKey) throw new ConfigError("TIKTOK_CLIENT_KEY is not configured");
    return this.config.clientKey;
  }

  private getClientSecret(): string {
    if (!this.config.clientSecret) throw new ConfigError("TIKTOK_CLIENT_SECRET is not configured");
    return this.config.clientSecret;
  }
}

/** The profile extras the card shows (`social_accounts.provider_data`); a field TikTok did not send is left out. */
function tikTokProfileData(user: TikTokUser): ProviderData | undefined {
  const data: ProviderData = {};
  const handle = cleanHandle(user.username);
  if (handle) data.handle = handle;
  if (user.follower_count !== undefined) data.followerCount = user.follower_count;
  return Object.keys(data).length > 0 ? data : undefined;
}
