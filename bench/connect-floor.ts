/**
 * The minimal connect flow: the I/O any durable TikTok connect must do, made by the leanest
 * client and none of SocialFlow's code. It is the sandbox-only flow (bench/connect-flow.ts)
 * plus three statements, each one round trip with its own commit, each a named prepared
 * statement on node-postgres (parsed and planned once per connection, as SocialFlow's are):
 *
 * 1. store the state and its PKCE verifier before the browser is sent to TikTok (the callback
 *    may land on any instance, after any restart);
 * 2. consume it once, before the code is spent (`delete … returning`: a replayed callback finds
 *    nothing);
 * 3. store the account before the user is told it is connected (`insert … on conflict do update`,
 *    which is also what a reconnect of the same account is).
 *
 * Its rate against the sandbox-only flow's is about the best flows ratio this machine allows in
 * that run (one measurement, not a computed bound): whatever SocialFlow does beyond it
 * (sessions, browser binding, encryption, checks, the account's holder, events) can only cost
 * more.
 *
 * The sandbox steps live here so the sandbox-only flow and this one make exactly the same calls.
 */
import { createHash, randomBytes } from "node:crypto";
import { decideAtSandbox } from "../tests/helpers/app-harness";
import { baselineRequest } from "./lib";

/** A PKCE authorization request at the TikTok sandbox, and what its client must keep for the callback. */
export function tiktokAuthorizeRequest(sandboxUrl: string, redirectUri: string): { url: string; state: string; verifier: string } {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const state = randomBytes(16).toString("base64url");
  const authorize = new URL("/v2/auth/authorize/", sandboxUrl);
  authorize.search = new URLSearchParams({
    client_key: "sandbox_client_key",
    scope: "user.info.basic,video.list,video.upload",
    response_type: "code",
    redirect_uri: redirectUri,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();
  return { url: authorize.toString(), state, verifier };
}

/** The browser at the consent page: the code and state TikTok sends it back with. */
export async function consentAtSandbox(authorizeUrl: string, openId: string, flow: string): Promise<{ code: string; state: string | null }> {
  const callback = new URL(await decideAtSandbox(authorizeUrl, { openId }));
  const code = callback.searchParams.get("code");
  if (!code) throw new Error(`${flow}: no code`);
  return { code, state: callback.searchParams.get("state") };
}

export interface SandboxTokens {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  refresh_expires_in?: number;
  scope?: string;
}

/**
 * The code exchange and user info, with the same kind of client SocialFlow's callback uses
 * (bench/lib.ts baselineRequest). Returns the parsed bodies; the user info's is not checked
 * here (the sandbox-only flow never looked at it).
 */
export async function exchangeAtSandbox(
  sandboxUrl: string,
  code: string,
  verifier: string,
  redirectUri: string,
  flow: string,
): Promise<{ tokens: SandboxTokens & { access_token: string }; userInfo: unknown }> {
  const token = await baselineRequest(new URL("/v2/oauth/token/", sandboxUrl).toString(), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_key: "sandbox_client_key",
      client_secret: "sandbox_client_secret",
      code,
      grant_type: "authorization_code",
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }).toString(),
  });
  const tokens = token.body as SandboxTokens | undefined;
  const accessToken = tokens?.access_token;
  if (!tokens || !accessToken) throw new Error(`${flow}: no access token`);
  const user = await baselineRequest(new URL("/v2/user/info/?fields=open_id,union_id,avatar_url,display_name", sandboxUrl).toString(), {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  return { tokens: { ...tokens, access_token: accessToken }, userInfo: user.body };
}

/**
 * The driver's own query call, nothing in between: node-postgres's Pool and PGlite both answer
 * `query(text, params)` with `{ rows }`; node-postgres also takes a named statement.
 */
export interface RawQuery {
  query(query: string | { name: string; text: string; values: unknown[] }, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** The driver, and whether it prepares named statements (node-postgres does; PGlite does not). */
export interface FloorDatabase {
  client: RawQuery;
  named: boolean;
}

/**
 * One of the floor's statements: named where the driver prepares them, so PostgreSQL parses and
 * plans it once per connection, as SocialFlow's hot statements are (src/lib/db/prebuilt.ts).
 */
export function send(db: FloorDatabase, name: string, text: string, values: unknown[]): Promise<{ rows: unknown[] }> {
  return db.named ? db.client.query({ name: `bench_floor_${name}`, text, values }) : db.client.query(text, values);
}

/**
 * The floor's own tables, in the harness's throwaway database (dropped with it at the end, so
 * they are not dropped here). The state is stored as is: hashing it (SocialFlow stores a
 * SHA-256, so a dump cannot be replayed) is a safety choice, not I/O.
 */
export async function createFloorTables(db: RawQuery): Promise<void> {
  await db.query(`create table bench_floor_states (state text primary key, user_id text not null, verifier text not null, created_at timestamptz not null)`);
  await db.query(
    `create table bench_floor_accounts (
      provider text not null,
      open_id text not null,
      user_id text not null,
      display_name text not null,
      avatar_url text,
      scopes text not null,
      access_token text not null,
      refresh_token text,
      token_expiry timestamptz not null,
      refresh_token_expiry timestamptz,
      updated_at timestamptz not null,
      primary key (provider, open_id)
    )`,
  );
}

/**
 * Stored tokens must be encrypted at rest, so the row carries ciphertext, not the token: an
 * envelope `v1.<kid>.<iv>.<ciphertext>.<tag>` in base64url is 46 characters (kid "t1", as the
 * harness's key) plus 4/3 of the token's bytes. The floor stores the token padded to that length
 * — the same bytes on the wire and on disk, no crypto.
 */
function asLongAsCiphertext(token: string): string {
  return token.padEnd(46 + Math.ceil((Buffer.byteLength(token) * 4) / 3), "=");
}

/**
 * The minimal flow's callback, timed as the bench times SocialFlow's: from the consume to the
 * stored account (`totalMs`), and the code exchange and user info within it (`tiktokMs`). Its own
 * time (total − TikTok's) is about the least a callback's can be here: two statements, each with its
 * commit, and this process's queue.
 */
export interface MinimalCallbackTiming {
  totalMs: number;
  tiktokMs: number;
}

/** One minimal connect of `openId` for `userId`. Errors name the step, never a token. */
export async function minimalConnectFlow(db: FloorDatabase, sandboxUrl: string, redirectUri: string, openId: string, userId: string): Promise<MinimalCallbackTiming> {
  const flow = "minimal flow";
  const request = tiktokAuthorizeRequest(sandboxUrl, redirectUri);
  await send(db, "state_put", `insert into bench_floor_states (state, user_id, verifier, created_at) values ($1, $2, $3, now())`, [request.state, userId, request.verifier]);
  const { code, state } = await consentAtSandbox(request.url, openId, flow);
  // The verifier used is the one read back: a real callback has only the state to go on.
  const callbackStarted = performance.now();
  const consumed = await send(db, "state_consume", `delete from bench_floor_states where state = $1 returning user_id, verifier`, [state]);
  const row = consumed.rows[0] as { user_id: string; verifier: string } | undefined;
  if (!row) throw new Error(`${flow}: state not found`);
  const exchangeStarted = performance.now();
  const { tokens, userInfo } = await exchangeAtSandbox(sandboxUrl, code, row.verifier, redirectUri, flow);
  const tiktokMs = performance.now() - exchangeStarted;
  const user = (userInfo as { data?: { user?: { open_id?: string; display_name?: string; avatar_url?: string } } } | undefined)?.data?.user;
  if (!user?.open_id) throw new Error(`${flow}: no user info`);
  const stored = await storeAccount(db, {
    openId: user.open_id,
    userId: row.user_id,
    displayName: user.display_name ?? "",
    avatarUrl: user.avatar_url ?? null,
    scopes: tokens.scope ?? "",
    accessToken: asLongAsCiphertext(tokens.access_token),
    refreshToken: tokens.refresh_token === undefined ? null : asLongAsCiphertext(tokens.refresh_token),
    expiresInSec: tokens.expires_in ?? 0,
    refreshExpiresInSec: tokens.refresh_expires_in ?? null,
  });
  if (!stored) throw new Error(`${flow}: account held by another user`);
  return { totalMs: performance.now() - callbackStarted, tiktokMs };
}

/** The account row the floor flows write: the token columns hold ciphertext, or text as long as it. */
export interface FloorAccount {
  openId: string;
  userId: string;
  displayName: string;
  avatarUrl: string | null;
  scopes: string;
  accessToken: string;
  refreshToken: string | null;
  expiresInSec: number;
  refreshExpiresInSec: number | null;
}

/**
 * Stores the account in one statement, a connect and a reconnect alike. The `where` keeps an
 * account linked to another user out of this one's reach, in the same statement: false then.
 */
export async function storeAccount(db: FloorDatabase, a: FloorAccount): Promise<boolean> {
  const stored = await send(
    db,
    "account_write",
    `insert into bench_floor_accounts (provider, open_id, user_id, display_name, avatar_url, scopes, access_token, refresh_token, token_expiry, refresh_token_expiry, updated_at)
     values ('TIKTOK', $1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8), now() + make_interval(secs => $9), now())
     on conflict (provider, open_id) do update set
       display_name = excluded.display_name, avatar_url = excluded.avatar_url, scopes = excluded.scopes,
       access_token = excluded.access_token, refresh_token = excluded.refresh_token,
       token_expiry = excluded.token_expiry, refresh_token_expiry = excluded.refresh_token_expiry, updated_at = excluded.updated_at
     where bench_floor_accounts.user_id = excluded.user_id
     returning 1`,
    [a.openId, a.userId, a.displayName, a.avatarUrl, a.scopes, a.accessToken, a.refreshToken, a.expiresInSec, a.refreshExpiresInSec],
  );
  return stored.rows.length === 1;
}
