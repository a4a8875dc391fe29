import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { user } from "@/lib/db/schema";
import type { TokenCipher } from "@/lib/crypto";
import type { AppConfig } from "@/lib/config/config";
import { tokenAad } from "@/lib/connections/account-store";
import { tokenSchedule } from "@/lib/connections/token-schedule";
import type { IssuedTokens, SandboxControl } from "../../sandbox/tiktok/index";
import type { IssuedTokens as GoogleIssuedTokens } from "../../sandbox/google/index";
import { channelIdFor } from "../../sandbox/google/seed";

/** Where tokens come from: the sandbox in this process, or a bulk issuer (a sandbox in another process). */
export type TokenSource =
  | { control: Pick<SandboxControl, "issueTokensDirectly"> }
  | { issueTokens(requests: { openId: string; scopes: string[] }[]): Promise<IssuedTokens[]> };

export interface SeedOptions {
  db: Database;
  cipher: TokenCipher;
  sandbox: TokenSource;
  count: number;
  /** Owner of every seeded account; created when missing. Default: a new user. */
  userId?: string;
  /** Makes the accounts due: their next_refresh_at. Default: 80 % of the issued token's life. */
  dueAt?: Date;
  /** The clock's "now" at which the sandbox issued the tokens (expiries are computed from it). */
  now: Date;
  scopes?: string[];
  /** Prefix of the synthetic open_ids (default: random, so several calls never collide). */
  openIdPrefix?: string;
  /** Rows per INSERT statement. */
  chunkSize?: number;
}

export interface SeededAccount {
  id: string;
  openId: string;
  accessToken: string;
  refreshToken: string;
}

const DEFAULT_SCOPES = ["user.info.basic", "video.list", "video.upload"];

/**
 * `count` connected TikTok accounts with real sandbox tokens, stored exactly as a connect
 * would store them (ciphertext bound to row id and field, expiries from `expires_in`), with
 * one multi-row INSERT per chunk, so 100k accounts take seconds, not minutes.
 */
export async function seedConnectedAccounts(options: SeedOptions): Promise<{ userId: string; accounts: SeededAccount[] }> {
  const { db, cipher, sandbox, count, now } = options;
  const scopes = options.scopes ?? DEFAULT_SCOPES;
  const prefix = options.openIdPrefix ?? `load-${randomBytes(4).toString("hex")}`;
  const chunkSize = options.chunkSize ?? 5000;
  const userId = options.userId ?? `seed-user-${randomUUID()}`;

  await ensureSeedUser(db, userId, now);
  const accounts: SeededAccount[] = [];
  for (let start = 0; start < count; start += chunkSize) {
    const size = Math.min(chunkSize, count - start);
    const requests = Array.from({ length: size }, (_, i) => ({ openId: `${prefix}-${start + i}`, scopes }));
    const issued =
      "control" in sandbox
        ? requests.map((r) => sandbox.control.issueTokensDirectly(r))
        : await sandbox.issueTokens(requests);
    if (issued.length !== size) throw new Error(`token source issued ${issued.length} of ${size} token pairs`);
    const grants = issued.map((tokens) => ({
      platformUserId: tokens.open_id,
      scope: tokens.scope,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresIn: tokens.expires_in,
      refreshExpiresIn: tokens.refresh_expires_in,
    }));
    accounts.push(...(await insertSeededAccounts(db, cipher, { userId, platform: "TIKTOK", scopeSeparator: ",", now, dueAt: options.dueAt }, grants)));
  }
  return { userId, accounts };
}

export interface YouTubeSeedOptions {
  db: Database;
  cipher: TokenCipher;
  /** Google tokens minted as an exchange would (the Google sandbox's issueTokensDirectly, in bulk). */
  issueGoogleTokens(requests: { accountId: string; scopes: string[] }[]): Promise<GoogleIssuedTokens[]>;
  count: number;
  /** Owner of every seeded channel; created when missing. Default: a new user. */
  userId?: string;
  /** Makes the accounts due: their next_refresh_at. Default: 80 % of the token's life. */
  dueAt?: Date;
  now: Date;
  /** Prefix of the synthetic Google account ids (default: random). */
  accountPrefix?: string;
  chunkSize?: number;
}

const DEFAULT_YOUTUBE_SCOPES = ["https://www.googleapis.com/auth/youtube.readonly", "https://www.googleapis.com/auth/youtube.upload"];

/**
 * `count` connected YouTube channels with real Google sandbox tokens, stored as a connect would
 * store them: the channel id as the account, space-separated scopes split, ciphertext bound to
 * row id and field, no refresh-token expiry (Google's do not expire on a clock). One INSERT per
 * chunk, like seedConnectedAccounts.
 */
export async function seedConnectedYouTubeChannels(options: YouTubeSeedOptions): Promise<{ userId: string; accounts: SeededAccount[] }> {
  const { db, cipher, count, now } = options;
  const prefix = options.accountPrefix ?? `gseed-${randomBytes(4).toString("hex")}`;
  const chunkSize = options.chunkSize ?? 5000;
  const userId = options.userId ?? `seed-user-${randomUUID()}`;

  await ensureSeedUser(db, userId, now);
  const accounts: SeededAccount[] = [];
  for (let start = 0; start < count; start += chunkSize) {
    const size = Math.min(chunkSize, count - start);
    const requests = Array.from({ length: size }, (_, i) => ({ accountId: `${prefix}-${start + i}`, scopes: DEFAULT_YOUTUBE_SCOPES }));
    const issued = await options.issueGoogleTokens(requests);
    if (issued.length !== size) throw new Error(`token source issued ${issued.length} of ${size} token pairs`);
    const grants = issued.map((tokens, i) => {
      if (!tokens.refresh_token) throw new Error("the Google sandbox issued no refresh token (offline access)");
      return {
        platformUserId: channelIdFor(requests[i]!.accountId),
        scope: tokens.scope,
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        expiresIn: tokens.expires_in,
        // Google's refresh tokens do not expire on a clock.
        refreshExpiresIn: undefined,
      };
    });
    accounts.push(...(await insertSeededAccounts(db, cipher, { userId, platform: "YOUTUBE", scopeSeparator: " ", now, dueAt: options.dueAt }, grants)));
  }
  return { userId, accounts };
}

export async function ensureSeedUser(db: Database, userId: string, now: Date): Promise<void> {
  await db
    .insert(user)
    .values({ id: userId, name: "Seeded user", email: `${userId}@seed.test`, createdAt: now, updatedAt: now })
    .onConflictDoNothing();
}

interface SeedGrant {
  platformUserId: string;
  /** As the provider joins them (TikTok ",", Google " "). */
  scope: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  refreshExpiresIn: number | undefined;
}

/**
 * Stores one chunk of grants exactly as a connect would (ciphertext bound to row id and field,
 * expiries from `expires_in`), in one statement with one array parameter per column (unnest):
 * building a 1,000-row VALUES list through the query builder costs more than the insert itself.
 */
async function insertSeededAccounts(
  db: Database,
  cipher: TokenCipher,
  target: { userId: string; platform: "TIKTOK" | "YOUTUBE"; scopeSeparator: "," | " "; now: Date; dueAt?: Date },
  grants: SeedGrant[],
): Promise<SeededAccount[]> {
  const { now } = target;
  const accounts: SeededAccount[] = [];
  const columns = { id: [] as string[], platformUserId: [] as string[], scope: [] as string[], access: [] as string[], refresh: [] as string[], expiry: [] as string[], refreshExpiry: [] as (string | null)[], next: [] as string[] };
  for (const grant of grants) {
    const id = randomUUID();
    const schedule = tokenSchedule({ expiresIn: grant.expiresIn, refreshExpiresIn: grant.refreshExpiresIn }, now);
    accounts.push({ id, openId: grant.platformUserId, accessToken: grant.accessToken, refreshToken: grant.refreshToken });
    columns.id.push(id);
    columns.platformUserId.push(grant.platformUserId);
    columns.scope.push(grant.scope);
    columns.access.push(cipher.encrypt(grant.accessToken, tokenAad(id, "access_token")));
    columns.refresh.push(cipher.encrypt(grant.refreshToken, tokenAad(id, "refresh_token")));
    columns.expiry.push(schedule.tokenExpiry.toISOString());
    columns.refreshExpiry.push(schedule.refreshTokenExpiry?.toISOString() ?? null);
    columns.next.push((target.dueAt ?? schedule.nextRefreshAt).toISOString());
  }
  const at = now.toISOString();
  await db.execute(sql`
    insert into social_accounts (id, user_id, platform, platform_user_id, display_name, scopes, access_token, refresh_token,
      token_expiry, refresh_token_expiry, next_refresh_at, status, last_refreshed_at, refresh_failures, analytics_due_at, created_at, updated_at)
    select u.id, ${target.userId}, ${target.platform}::platform, u.platform_user_id, 'Seeded ' || u.platform_user_id,
      string_to_array(u.scope, ${target.scopeSeparator}), u.access, u.refresh,
      u.expiry, u.refresh_expiry, u.next, 'ACTIVE', ${at}::timestamptz, 0, ${at}::timestamptz, ${at}::timestamptz, ${at}::timestamptz
    from unnest(${sql.param(columns.id)}::text[], ${sql.param(columns.platformUserId)}::text[], ${sql.param(columns.scope)}::text[],
      ${sql.param(columns.access)}::text[], ${sql.param(columns.refresh)}::text[], ${sql.param(columns.expiry)}::timestamptz[],
      ${sql.param(columns.refreshExpiry)}::timestamptz[], ${sql.param(columns.next)}::timestamptz[])
      as u(id, platform_user_id, scope, access, refresh, expiry, refresh_expiry, next)`);
  return accounts;
}

/** Number of `refreshed` audit events per account id (accounts with none are absent). */
export async function refreshedEventCounts(db: Database): Promise<Map<string, number>> {
  const result = await db.execute(
    sql`select account_id, count(*)::int as n from account_events where kind = 'refreshed' group by account_id`,
  );
  const rows = (result as unknown as { rows: { account_id: string; n: number }[] }).rows;
  return new Map(rows.map((r) => [r.account_id, Number(r.n)]));
}

/** SocialFlow's TikTok configuration pointed at a sandbox (its default client), without the app's globals. */
export function sandboxTikTokConfig(apiBaseUrl: string, overrides: Partial<AppConfig["tiktok"]> = {}): AppConfig["tiktok"] {
  return {
    clientKey: "sandbox_client_key",
    clientSecret: "sandbox_client_secret",
    authUrl: `${apiBaseUrl}/v2/auth/authorize/`,
    apiBaseUrl,
    scopes: DEFAULT_SCOPES,
    pkceEncoding: "base64url",
    sandbox: true,
    redirectUri: "http://localhost:3000/api/oauth/tiktok/callback",
    ...overrides,
  };
}
