import { z } from "zod";
import type { AppConfig } from "@/lib/config/config";
import { ConfigError } from "@/lib/config/config";
import { parseTikTokEnvelope } from "@/lib/providers/tiktok/api-response";
import { BaseOAuthService, type OAuthServiceDeps } from "@/lib/connections/connection-service";
import { OAuthProviderError, ProviderRequestError, type CallbackErrorCode } from "@/lib/connections/errors";
import { providerRequest } from "@/lib/connections/provider-http";
import { cleanAvatarUrl, cleanDisplayName } from "@/lib/connections/profile-sanitize";
import { splitScopes } from "@/lib/connections/callback-params";
import type { PkceEncoding } from "@/lib/connections/pkce";
import type { OAuthTokens, UserProfile } from "@/lib/connections/types";

/** RFC 6749 §5.2 error values TikTok uses (TIKTOK_API.md §2); anything else is "unknown_error". */
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
 * The longest token lifetime accepted (TikTok: 24 h access, 365 d refresh). Anything larger is
 * not a lifetime: far enough out it cannot even be stored as a date, and a refresh whose answer
 * cannot be stored loses the rotated refresh token.
 */
export const MAX_TOKEN_LIFETIME_S = 10 * 365 * 24 * 3600;

/** TikTok's token success body is flat (the phase plan's `data.data` belongs to the retired v1 API). */
const tokenResponseSchema = z.object({
  access_token: z.string().min(1).max(4096),
  expires_in: z.number().int().positive().max(MAX_TOKEN_LIFETIME_S),
  open_id: z.string().min(1).max(256),
  refresh_token: z.string().min(1).max(4096).optional(),
  refresh_expires_in: z.number().int().nonnegative().max(MAX_TOKEN_LIFETIME_S).optional(),
  scope: z.string().max(1024).optional(),
  token_type: z.string().optional(),
});

const userInfoSchema = z.object({
  user: z.object({
    open_id: z.string().min(1).max(256),
    union_id: z.string().max(256).optional(),
    avatar_url: z.string().optional(),
    display_name: z.string().optional(),
  }),
});

/** Fields needing only `user.info.basic` (TIKTOK_API.md §4). */
const PROFILE_FIELDS = "open_id,union_id,avatar_url,display_name";

export type TikTokOAuthConfig = AppConfig["tiktok"];

/**
 * TikTok Login Kit v2 (login-kit-web, oauth-user-access-token-management). TikTok names the
 * client id `client_key`, separates scopes with commas, answers token errors in the body
 * (sometimes with HTTP 200), and wants PKCE as hex for desktop apps.
 */
export class TikTokOAuthService extends BaseOAuthService {
  readonly provider = "tiktok";
  readonly platform = "TIKTOK" as const;
  protected readonly pkceEncoding: PkceEncoding;
  protected readonly requestedScopes: readonly string[];
  readonly authorizationUrl: string;
  readonly tokenUrl: string;
  readonly revokeUrl: string;
  readonly profileUrl: string;
  private readonly config: TikTokOAuthConfig;

  constructor(deps: OAuthServiceDeps, config: TikTokOAuthConfig) {
    super(deps);
    this.config = config;
    this.pkceEncoding = config.pkceEncoding;
    this.requestedScopes = config.scopes;
    this.authorizationUrl = config.authUrl;
    this.tokenUrl = `${config.apiBaseUrl}/v2/oauth/token/`;
    this.revokeUrl = `${config.apiBaseUrl}/v2/oauth/revoke/`;
    this.profileUrl = `${config.apiBaseUrl}/v2/user/info/`;
  }

  protected buildAuthorizationUrl({ state, codeChallenge }: { state: string; codeChallenge: string }): string {
    const url = new URL(this.authorizationUrl);
    url.search = new URLSearchParams({
      client_key: this.getClientKey(),
      scope: this.requestedScopes.join(","),
      response_type: "code",
      redirect_uri: this.config.redirectUri,
      state,
      code_challenge: codeChallenge,
      code_challenge_method: "S256",
    }).toString();
    return url.toString();
  }

  async exchangeCodeForTokens(code: string, codeVerifier: string): Promise<OAuthTokens> {
    return this.tokenRequest({
      client_key: this.getClientKey(),
      client_secret: this.getClientSecret(),
      code,
      grant_type: "authorization_code",
      redirect_uri: this.config.redirectUri,
      code_verifier: codeVerifier,
    });
  }

  async refreshAccessToken(refreshToken: string): Promise<OAuthTokens> {
    return this.tokenRequest({
      client_key: this.getClientKey(),
      client_secret: this.getClientSecret(),
      grant_type: "refresh_token",
      refresh_token: refreshToken,
    });
  }

  /** oauth-revoke-a-user-access-token: revokes with the access token; success is `{}`. */
  async revokeToken(accessToken: string): Promise<void> {
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

  /** tiktok-api-v2-get-user-info: GET with `fields` in the query (the plan's POST is wrong). */
  async getUserProfile(accessToken: string): Promise<UserProfile> {
    const response = await providerRequest(
      `${this.profileUrl}?fields=${PROFILE_FIELDS}`,
      { method: "GET", headers: { Authorization: `Bearer ${accessToken}` } },
      { timeoutMs: this.timeoutMs, fetch: this.fetchImpl },
    );
    const { user } = parseTikTokEnvelope(response, userInfoSchema);
    return {
      providerUserId: user.open_id,
      unionId: user.union_id || undefined,
      displayName: cleanDisplayName(user.display_name ?? ""),
      avatarUrl: cleanAvatarUrl(user.avatar_url, this.config.apiBaseUrl),
    };
  }

  protected mapAuthorizationError(error: string): CallbackErrorCode {
    return error === "access_denied" ? "access_denied" : "provider_error";
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

  protected getClientKey(): string {
    if (!this.config.clientKey) throw new ConfigError("TIKTOK_CLIENT_KEY is not configured");
    return this.config.clientKey;
  }

  protected getClientSecret(): string {
    if (!this.config.clientSecret) throw new ConfigError("TIKTOK_CLIENT_SECRET is not configured");
    return this.config.clientSecret;
  }
}
