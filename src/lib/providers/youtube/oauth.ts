import { OAuthProviderError, ProviderRequestError, type CallbackErrorCode } from "@/lib/connections/errors";
import { providerRequest, type FetchLike, type ProviderResponse } from "@/lib/connections/provider-http";
import type { OAuthTokens } from "@/lib/connections/types";
import { googleOAuthErrorSchema, googleTokenSchema } from "./api-schemas";
import type { YouTubeConfig } from "./config";

/**
 * Google's OAuth 2.0 for web server applications, as YouTube needs it
 * (https://developers.google.com/identity/protocols/oauth2/web-server). No database, cipher or
 * logger here: the connections core stores what this returns.
 */

/**
 * What Google's token endpoint gave. `refreshToken` is set only by a code exchange that showed
 * the consent screen: Google does NOT rotate refresh tokens and never sends one on a refresh
 * (https://developers.google.com/identity/protocols/oauth2/web-server#offline). A caller that
 * gets `undefined` MUST keep the refresh token it already holds, never overwrite it with nothing.
 */
export type GoogleTokens = OAuthTokens & { providerUserId: undefined };

/** `error` values Google's token and revoke endpoints use (RFC 6749 §5.2, RFC 7009 §2.2.1, Google's own). */
const KNOWN_TOKEN_ERRORS: ReadonlySet<string> = new Set([
  "invalid_request",
  "invalid_client",
  "invalid_grant",
  "unauthorized_client",
  "unsupported_grant_type",
  "invalid_scope",
  "redirect_uri_mismatch",
  "invalid_token",
  "unsupported_token_type",
]);

/**
 * The callback's `?error=` (RFC 6749 §4.1.2.1; OpenID Connect Core §3.1.2.6 for the prompt
 * errors) mapped to SocialFlow's fixed callback codes. A Map: `constructor` finds nothing.
 */
const CALLBACK_ERRORS: ReadonlyMap<string, CallbackErrorCode> = new Map([
  ["access_denied", "access_denied"],
  ["invalid_request", "invalid_request"],
]);

export type TokenFailure = "invalid_grant" | "transient" | "other";

/**
 * How a token-endpoint failure is handled: `invalid_grant` (any description: revoked, expired,
 * a Testing app's 7-day limit, idle for 6 months, the 100-token cap) ends access; `transient`
 * (timeouts, network, 5xx, 429) is tried again later; anything else is a configuration or
 * protocol fault. Branches on `error`, never on `error_description`.
 */
export function tokenFailure(error: unknown): TokenFailure {
  if (error instanceof OAuthProviderError) return error.error === "invalid_grant" ? "invalid_grant" : "other";
  if (error instanceof ProviderRequestError) return error.transient ? "transient" : "other";
  return "other";
}

/** Requested scopes the grant lacks (granular consent lets the user untick any of them). */
export function missingScopes(granted: readonly string[] | undefined, requested: readonly string[]): string[] {
  const have = new Set(granted ?? []);
  return requested.filter((scope) => !have.has(scope));
}

export interface YouTubeOAuthDeps {
  fetch?: FetchLike;
  timeoutMs?: number;
}

export class YouTubeOAuth {
  readonly id = "youtube";
  readonly pkceEncoding = "base64url" as const;
  readonly scopeSeparator = " ";
  readonly rotatesRefreshTokens = false;

  constructor(
    private readonly config: YouTubeConfig,
    private readonly deps: YouTubeOAuthDeps = {},
  ) {}

  get requestedScopes(): readonly string[] {
    return this.config.scopes;
  }

  /**
   * The authorization URL. `access_type=offline` for a refresh token; `prompt=consent` so a
   * returning user still gets one; `select_account` so Google shows the chooser with Brand
   * Account channels instead of reusing the last identity; `include_granted_scopes=true` so a
   * "Grant permission" request (`scopes` = only the missing ones) adds to the grant. PKCE S256.
   */
  authorizationUrl(params: { state: string; codeChallenge: string; scopes?: readonly string[] }): string {
    const url = new URL(this.config.authUrl);
    url.search = new URLSearchParams({
      client_id: this.config.clientId,
      redirect_uri: this.config.redirectUri,
      response_type: "code",
      scope: (params.scopes ?? this.config.scopes).join(" "),
      access_type: "offline",
      prompt: "consent select_account",
      include_granted_scopes: "true",
      state: params.state,
      code_challenge: params.codeChallenge,
      code_challenge_method: "S256",
    }).toString();
    return url.toString();
  }

  /** The code exchange (client_secret_post). A code is used once: never retried here. */
  exchangeCode(code: string, codeVerifier: string): Promise<GoogleTokens> {
    return this.tokenRequest({
      grant_type: "authorization_code",
      code,
      redirect_uri: this.config.redirectUri,
      code_verifier: codeVerifier,
    });
  }

  /** A new access token; `refreshToken` is undefined unless Google sent one (it does not rotate). */
  refresh(refreshToken: string): Promise<GoogleTokens> {
    return this.tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken });
  }

  /**
   * Ends the whole grant (either token revokes both). Google answers 200 with an empty body, and
   * 400 `invalid_token` for a token already revoked or expired: that is the goal reached, so it
   * resolves. Client credentials go in the body (RFC 7009 §2.1 wants them for a confidential
   * client; Google ignores them).
   */
  async revoke(token: string): Promise<void> {
    const response = await this.post(this.config.revokeUrl, { token });
    if (response.status >= 200 && response.status < 300) return;
    throwIfServerSide(response);
    const error = oauthError(response);
    if (error === "invalid_token") return;
    if (error !== undefined) throw new OAuthProviderError(error, response.status);
    throw new ProviderRequestError("http_status", response.status);
  }

  /** The callback's `?error=` in SocialFlow's words; Google's description is never shown. */
  mapAuthorizationError(error: string): CallbackErrorCode {
    return CALLBACK_ERRORS.get(error) ?? "provider_error";
  }

  private async tokenRequest(form: Record<string, string>): Promise<GoogleTokens> {
    const response = await this.post(this.config.tokenUrl, form);
    throwIfServerSide(response);
    // An `error` member makes the answer an error whatever the status (RFC 6749 §5.2).
    const error = oauthError(response);
    if (error !== undefined) throw new OAuthProviderError(error, response.status);
    if (response.status < 200 || response.status >= 300) throw new ProviderRequestError("http_status", response.status);
    const parsed = googleTokenSchema.safeParse(response.json);
    if (!parsed.success) throw new ProviderRequestError("malformed_response", response.status);
    const body = parsed.data;
    if (body.token_type !== undefined && body.token_type.toLowerCase() !== "bearer") throw new ProviderRequestError("malformed_response", response.status);
    return {
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      expiresIn: body.expires_in,
      refreshExpiresIn: body.refresh_token_expires_in,
      // Google separates scopes with spaces (RFC 6749 §3.3).
      scopes: body.scope === undefined ? undefined : [...new Set(body.scope.split(" ").filter(Boolean))],
      providerUserId: undefined,
    };
  }

  private post(url: string, form: Record<string, string>): Promise<ProviderResponse> {
    return providerRequest(
      url,
      {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        body: new URLSearchParams({ client_id: this.config.clientId, client_secret: this.config.clientSecret, ...form }).toString(),
      },
      { fetch: this.deps.fetch, timeoutMs: this.deps.timeoutMs },
    );
  }
}

/** 5xx and 429 are Google's trouble, whatever the body says: tried again later. */
function throwIfServerSide(response: ProviderResponse): void {
  if (response.status >= 500 || response.status === 429) throw new ProviderRequestError("http_status", response.status);
}

/** The body's `error`, reduced to a known code or `unknown_error`; undefined when there is none. */
function oauthError(response: ProviderResponse): string | undefined {
  const raw = response.json?.error;
  if (raw === undefined || raw === null || raw === "") return undefined;
  const parsed = googleOAuthErrorSchema.safeParse(response.json);
  return parsed.success && KNOWN_TOKEN_ERRORS.has(parsed.data.error) ? parsed.data.error : "unknown_error";
}
