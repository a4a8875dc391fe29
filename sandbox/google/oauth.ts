/**
 * POST /token and POST /revoke (https://developers.google.com/identity/protocols/oauth2/web-server#exchange-authorization-code,
 * #offline, #tokenrevoke).
 *
 * Flat JSON errors `{"error","error_description"}`. Apps must branch on `error`, never on the
 * description: Google's descriptions vary ("Bad Request" for a used code, "Token has been expired
 * or revoked." that turns into "Bad Request" some hours after a revocation…).
 */
import { emptyReply, oauthError, parseForm, tokenReply, type Reply } from "./http";
import { idToken } from "./id-token";
import { verifyPkce } from "./pkce";
import { tokenScope } from "./scopes";
import { REVOKED_DESCRIPTION_CHANGES_MS, type SandboxState } from "./state";
import type { IssuedTokens, SandboxClient, Scope, SeedAccount } from "./types";

export const FORM_TYPE = "application/x-www-form-urlencoded";

export interface OAuthRequest {
  method: string;
  mediaType: string;
  body: string;
  query: string;
  authorization: string | undefined;
}

/** Well-formed codes are `4/` + URL-safe characters; a code still percent-encoded (4%2F…) or cut is "Malformed". */
const CODE_RE = /^4\/[A-Za-z0-9_-]{10,250}$/;

/** HTTP Basic client credentials (RFC 6749 §2.3.1: each part form-urlencoded before base64). */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, " "));
    } catch {
      return s;
    }
  };
  return { id: dec(decoded.slice(0, colon)), secret: dec(decoded.slice(colon + 1)) };
}

/** Which grant_type a token request names (for counters), without validating anything. */
export function grantTypeOf(mediaType: string, body: string): "authorization_code" | "refresh_token" | undefined {
  if (mediaType !== FORM_TYPE) return undefined;
  const g = new URLSearchParams(body).get("grant_type");
  return g === "authorization_code" || g === "refresh_token" ? g : undefined;
}

export function handleToken(state: SandboxState, req: OAuthRequest): Reply {
  if (req.method !== "POST") return oauthError(405, "invalid_request", "Method Not Allowed");
  // The body is read as a form only when it says so; anything else leaves the client unidentified.
  const { params, duplicate } = parseForm(req.mediaType === FORM_TYPE ? req.body : "");
  if (duplicate !== undefined) return oauthError(400, "invalid_request", `Parameter not allowed more than once: ${duplicate}`);
  const basic = basicCredentials(req.authorization);
  const clientId = basic?.id ?? params.get("client_id");
  if (!clientId) return oauthError(400, "invalid_request", "Could not determine client ID from request.");
  const client = state.client(clientId);
  if (client === undefined) return oauthError(401, "invalid_client", "The OAuth client was not found.");
  const secret = basic?.secret ?? params.get("client_secret");
  // PKCE does not replace the secret of a web client.
  if (!secret) return oauthError(400, "invalid_request", "client_secret is missing.");
  if (secret !== client.clientSecret) return oauthError(401, "invalid_client", "Unauthorized");
  const grantType = params.get("grant_type");
  if (!grantType) return oauthError(400, "invalid_request", "Missing required parameter: grant_type");
  if (grantType === "authorization_code") return exchangeCode(state, client, params);
  if (grantType === "refresh_token") return refresh(state, client, params);
  return oauthError(400, "unsupported_grant_type", `Invalid grant_type: ${grantType}`);
}

/**
 * The success body, keys in Google's order; refresh_token only when one was minted, id_token only
 * with openid, refresh_token_expires_in only for time-based access (`timeLimitEndsAt`).
 */
function tokenBody(state: SandboxState, client: SandboxClient, account: SeedAccount, scopes: ReadonlySet<Scope>, refreshToken: string | undefined, nonce: string | undefined, timeLimitEndsAt: number | undefined): IssuedTokens {
  const accessToken = state.mintAccess(client.clientId, account.id, scopes);
  const body: IssuedTokens = { access_token: accessToken, expires_in: state.options.accessTokenTtlSec } as IssuedTokens;
  if (refreshToken !== undefined) body.refresh_token = refreshToken;
  if (timeLimitEndsAt !== undefined) body.refresh_token_expires_in = Math.max(1, Math.floor((timeLimitEndsAt - state.now()) / 1000));
  body.scope = tokenScope(scopes);
  body.token_type = "Bearer";
  if (scopes.has("openid")) {
    body.id_token = idToken({ clientId: client.clientId, account, scopes, accessToken, nonce, nowMs: state.now(), pictureUrl: `${state.baseUrl}/avatars/${encodeURIComponent(account.id)}` });
  }
  return body;
}

function exchangeCode(state: SandboxState, client: SandboxClient, params: Map<string, string>): Reply {
  const code = params.get("code");
  if (!code) return oauthError(400, "invalid_request", "Missing required parameter: code");
  if (!CODE_RE.test(code)) return oauthError(400, "invalid_grant", "Malformed auth code.");
  const rec = state.codes.get(code);
  if (rec === undefined || rec.clientId !== client.clientId || rec.used || rec.expiresAt <= state.now()) {
    return oauthError(400, "invalid_grant", "Bad Request");
  }
  // Single use, whatever happens next: a failed exchange burns the code too.
  rec.used = true;
  const redirectUri = params.get("redirect_uri");
  if (!redirectUri) return oauthError(400, "invalid_request", "Missing parameter: redirect_uri");
  if (redirectUri !== rec.redirectUri) return oauthError(400, "redirect_uri_mismatch", "Bad Request");
  if (rec.codeChallenge !== undefined && rec.codeChallengeMethod !== undefined) {
    const verifier = params.get("code_verifier");
    if (!verifier) return oauthError(400, "invalid_grant", "Missing code verifier.");
    if (!verifyPkce(verifier, rec.codeChallenge, rec.codeChallengeMethod)) return oauthError(400, "invalid_grant", "Invalid code verifier.");
  }
  const account = state.account(rec.accountId);
  if (account === undefined) return oauthError(400, "invalid_grant", "Bad Request");
  const scopes = new Set(rec.scopes);
  const refreshToken = rec.withRefreshToken ? state.mintRefresh(client.clientId, account.id, scopes, state.now()) : undefined;
  const timeLimitEndsAt = refreshToken === undefined ? undefined : state.refreshRecord(refreshToken)?.timeLimitEndsAt;
  return tokenReply(200, tokenBody(state, client, account, scopes, refreshToken, rec.nonce, timeLimitEndsAt));
}

function refresh(state: SandboxState, client: SandboxClient, params: Map<string, string>): Reply {
  const refreshToken = params.get("refresh_token");
  if (!refreshToken) return oauthError(400, "invalid_request", "Missing required parameter: refresh_token");
  const rec = state.refreshRecord(refreshToken);
  if (rec === undefined) return oauthError(400, "invalid_grant", "Bad Request");
  if (rec.family.clientId !== client.clientId) return oauthError(401, "unauthorized_client", "Unauthorized");
  const st = state.tokenState(refreshToken);
  if (st === "revoked" && rec.revokedAt !== undefined && state.now() - rec.revokedAt >= REVOKED_DESCRIPTION_CHANGES_MS) {
    return oauthError(400, "invalid_grant", "Bad Request");
  }
  if (st !== "valid") return oauthError(400, "invalid_grant", "Token has been expired or revoked.");
  const account = state.account(rec.family.accountId);
  if (account === undefined) return oauthError(400, "invalid_grant", "Bad Request");
  rec.lastUsedAt = state.now();
  // No rotation: the answer has no refresh_token; the one the app holds stays valid.
  return tokenReply(200, tokenBody(state, client, account, rec.scopes, undefined, undefined, rec.timeLimitEndsAt));
}

/**
 * Revoke: `token` (access or refresh) in the form body or the query string, no client
 * authentication. 200 with an empty body; an unknown, expired or already revoked token is
 * 400 `invalid_token` "Token expired or revoked". Either token ends the whole grant.
 */
export function handleRevoke(state: SandboxState, req: OAuthRequest): Reply {
  if (req.method !== "POST") return oauthError(405, "invalid_request", "Method Not Allowed");
  const fromBody = req.mediaType === FORM_TYPE ? parseForm(req.body).params.get("token") : undefined;
  const token = fromBody || new URLSearchParams(req.query).get("token") || undefined;
  if (token === undefined) return oauthError(400, "invalid_request", "Missing required parameter: token");
  const invalid = () => oauthError(400, "invalid_token", "Token expired or revoked");
  const refreshRec = state.refreshRecord(token);
  if (refreshRec !== undefined) {
    if (state.tokenState(token) !== "valid") return invalid();
    state.revokeFamily(refreshRec.family.clientId, refreshRec.family.accountId);
    return emptyReply(200, { "cache-control": "no-cache, no-store, max-age=0, must-revalidate" });
  }
  const accessRec = state.accessRecord(token);
  if (accessRec !== undefined) {
    if (state.accessTokenState(token) !== "valid") return invalid();
    state.revokeFamily(accessRec.family.clientId, accessRec.family.accountId);
    return emptyReply(200, { "cache-control": "no-cache, no-store, max-age=0, must-revalidate" });
  }
  return invalid();
}

/**
 * Tokens without the browser (control.issueTokensDirectly): as if the account had just consented
 * to `scopes` with access_type=offline (or online when `offline` is false).
 */
export function issueDirect(state: SandboxState, client: SandboxClient, account: SeedAccount, scopes: readonly Scope[], offline: boolean): IssuedTokens {
  const set = new Set(scopes);
  state.rememberConsent(client.clientId, account.id, set);
  const refreshToken = offline ? state.mintRefresh(client.clientId, account.id, set, state.now()) : undefined;
  return tokenBody(state, client, account, set, refreshToken, undefined, refreshToken === undefined ? undefined : state.refreshRecord(refreshToken)?.timeLimitEndsAt);
}
