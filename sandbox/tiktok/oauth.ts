/**
 * POST /v2/oauth/token/ and POST /v2/oauth/revoke/ (https://developers.tiktok.com/doc/oauth-user-access-token-management).
 *
 * Both take `application/x-www-form-urlencoded` only and answer FLAT JSON. Errors are
 * `{"error","error_description","log_id"}` with the configurable `oauthErrorStatus` (TikTok has
 * been seen using 400 and 200 — clients must look at the body, not the status).
 */
import { jsonReply, newLogId, oauthErrorReply, parseForm, type Reply } from "./http";
import { verifyPkce } from "./pkce";
import type { SandboxState } from "./state";
import type { SandboxClient } from "./types";

export const FORM_TYPE = "application/x-www-form-urlencoded";

/** The exact description TikTok gives for a PKCE mismatch (login-kit-desktop docs). */
export const PKCE_ERROR_DESCRIPTION = "Code verifier or code challenge is invalid.";

interface FormRequest {
  method: string;
  mediaType: string;
  body: string;
}

function err(state: SandboxState, error: string, description: string): Reply {
  return oauthErrorReply(state.options.oauthErrorStatus, error, description, newLogId(state.now()));
}

/** RFC 6749 §5.1: token responses must not be cached. */
function tokenOk(value: unknown): Reply {
  return jsonReply(200, value, { pragma: "no-cache" });
}

/** Shared preamble: method, content type, duplicate parameters, client authentication. */
function authenticate(
  state: SandboxState,
  req: FormRequest,
): { ok: true; client: SandboxClient; params: Map<string, string> } | { ok: false; reply: Reply } {
  if (req.method !== "POST") return { ok: false, reply: err(state, "invalid_request", "Only POST is supported.") };
  if (req.mediaType !== FORM_TYPE) {
    return { ok: false, reply: err(state, "invalid_request", "Content-Type must be application/x-www-form-urlencoded.") };
  }
  const { params, duplicate } = parseForm(req.body);
  if (duplicate !== undefined) return { ok: false, reply: err(state, "invalid_request", `Parameter '${duplicate}' is repeated.`) };
  const clientKey = params.get("client_key");
  const client = clientKey === undefined ? undefined : state.client(clientKey);
  if (client === undefined) {
    // A common bug is sending OAuth's `client_id`: TikTok only knows `client_key`.
    return { ok: false, reply: err(state, "invalid_client", "Client key is missing or invalid (TikTok expects client_key, not client_id).") };
  }
  if (params.get("client_secret") !== client.clientSecret) {
    return { ok: false, reply: err(state, "invalid_client", "Client secret is invalid.") };
  }
  return { ok: true, client, params };
}

/** Which grant_type a token request body names (for counters), without validating anything. */
export function grantTypeOf(mediaType: string, body: string): "authorization_code" | "refresh_token" | undefined {
  if (mediaType !== FORM_TYPE) return undefined;
  const g = new URLSearchParams(body).get("grant_type");
  return g === "authorization_code" || g === "refresh_token" ? g : undefined;
}

export function handleToken(state: SandboxState, req: FormRequest): Reply {
  const auth = authenticate(state, req);
  if (!auth.ok) return auth.reply;
  const { client, params } = auth;
  const grantType = params.get("grant_type");
  if (grantType === undefined || grantType === "") return err(state, "invalid_request", "grant_type is required.");
  if (grantType === "authorization_code") return exchangeCode(state, client, params);
  if (grantType === "refresh_token") return refresh(state, client, params);
  return err(state, "unsupported_grant_type", `grant_type '${grantType}' is not supported.`);
}

function exchangeCode(state: SandboxState, client: SandboxClient, params: Map<string, string>): Reply {
  const code = params.get("code");
  if (code === undefined || code === "") return err(state, "invalid_request", "code is required.");
  const rec = state.codes.get(code);
  if (rec === undefined || rec.clientKey !== client.clientKey) return err(state, "invalid_grant", "Authorization code is invalid.");
  if (rec.used) {
    // RFC 6749 §4.1.2: a replayed code SHOULD revoke the tokens previously issued with it.
    if (rec.grant) state.revokeGrantObject(rec.grant);
    return err(state, "invalid_grant", "Authorization code has already been used.");
  }
  // Single use, whatever happens next: a failed exchange burns the code too (docs/security.md S16
  // expects clients never to retry one).
  rec.used = true;
  if (rec.expiresAt <= state.now()) return err(state, "invalid_grant", "Authorization code is expired.");
  const redirectUri = params.get("redirect_uri");
  if (redirectUri === undefined || redirectUri === "") return err(state, "invalid_request", "redirect_uri is required.");
  if (redirectUri !== rec.redirectUri) {
    return err(state, "invalid_grant", "redirect_uri does not match the one used in the authorization request.");
  }
  if (rec.codeChallenge !== undefined) {
    const verifier = params.get("code_verifier");
    if (verifier === undefined || !verifyPkce(verifier, rec.codeChallenge, state.options.pkceMode)) {
      return err(state, "invalid_request", PKCE_ERROR_DESCRIPTION);
    }
  }
  const { grant, tokens } = state.issueGrant(client.clientKey, rec.openId, rec.scopes);
  rec.grant = grant;
  return tokenOk(tokens);
}

function refresh(state: SandboxState, client: SandboxClient, params: Map<string, string>): Reply {
  const refreshToken = params.get("refresh_token");
  if (refreshToken === undefined || refreshToken === "") return err(state, "invalid_request", "refresh_token is required.");
  const rec = state.refreshTokenRecord(refreshToken);
  if (rec === undefined || rec.grant.clientKey !== client.clientKey) return err(state, "invalid_grant", "Refresh token is invalid.");
  if (rec.grant.revoked) return err(state, "invalid_grant", "Refresh token has been revoked.");
  if (rec.rotated) {
    // RFC 9700 §4.14.2 reuse detection, off by default (https://developers.tiktok.com/doc/oauth-user-access-token-management only says the loser fails).
    if (state.options.revokeFamilyOnRefreshReuse) state.revokeGrantObject(rec.grant);
    return err(state, "invalid_grant", "Refresh token has already been used.");
  }
  if (rec.expiresAt <= state.now()) return err(state, "invalid_grant", "Refresh token is expired.");
  return tokenOk(state.rotate(rec));
}

/**
 * Revoke (https://developers.tiktok.com/doc/oauth-user-access-token-management): `token` is the ACCESS token. TikTok's revoke "revokes a user access
 * token and disconnects your app from the user's TikTok account" (developers.tiktok.com,
 * oauth-revoke-a-user-access-token): every grant this client holds for that user dies, access
 * and refresh — not only the family of the token sent. Unknown tokens answer `{}` like RFC 7009
 * §2.2 (revoking twice is not an error). A refresh token passed as `token` is not recognised —
 * TikTok documents the access token only.
 */
export function handleRevoke(state: SandboxState, req: FormRequest): Reply {
  const auth = authenticate(state, req);
  if (!auth.ok) return auth.reply;
  const tokenValue = auth.params.get("token");
  if (tokenValue === undefined || tokenValue === "") return err(state, "invalid_request", "token is required.");
  const grant = state.accessTokenGrantAnyState(tokenValue);
  if (grant !== undefined) {
    if (grant.clientKey !== auth.client.clientKey) return err(state, "unauthorized_client", "The token was not issued to this client.");
    state.revokeAppForUser(grant.clientKey, grant.openId);
  }
  return jsonReply(200, {});
}
