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

  await db
    .insert(user)
    .values({ id: userId, name: "Seeded user", email: `${userId}@seed.test`, createdAt: now, updatedAt: now })
    .onConflictDoNothing();

  const accounts: SeededAccount[] = [];
  for (let start = 0; start < count; start += chunkSize) {
    const size = Math.min(chunkSize, count - start);
    const requests = Array.from({ length: size }, (_, i) => ({ openId: `${prefix}-${start + i}`, scopes }));
    const issued =
      "control" in sandbox
        ? requests.map((r) => sandbox.control.issueTokensDirectly(r))
        : await sandbox.issueTokens(requests);
    if (issued.length !== size) throw new Error(`token source issued ${issued.length} of ${size} token pairs`);

    const columns = { id: [] as string[], openId: [] as string[], scope: [] as string[], access: [] as string[], refresh: [] as string[], expiry: [] as string[], refreshExpiry: [] as (string | null)[], next: [] as string[] };
    for (const tokens of issued) {
      const id = randomUUID();
      const schedule = tokenSchedule({ expiresIn: tokens.expires_in, refreshExpiresIn: tokens.refresh_expires_in }, now);
      accounts.push({ id, openId: tokens.open_id, accessToken: tokens.access_token, refreshToken: tokens.refresh_token });
      columns.id.push(id);
      columns.openId.push(tokens.open_id);
      columns.scope.push(tokens.scope);
      columns.access.push(cipher.encrypt(tokens.access_token, tokenAad(id, "access_token")));
      columns.refresh.push(cipher.encrypt(tokens.refresh_token, tokenAad(id, "refresh_token")));
      columns.expiry.push(schedule.tokenExpiry.toISOString());
      columns.refreshExpiry.push(schedule.refreshTokenExpiry?.toISOString() ?? null);
      columns.next.push((options.dueAt ?? schedule.nextRefreshAt).toISOString());
    }
    // One statement per chunk with one array parameter per column (unnest): building a
    // 1,000-row VALUES list through the query builder costs more than the insert itself.
    const at = now.toISOString();
    await db.execute(sql`
      insert into social_accounts (id, user_id, platform, platform_user_id, display_name, scopes, access_token, refresh_token,
        token_expiry, refresh_token_expiry, next_refresh_at, status, last_refreshed_at, refresh_failures, created_at, updated_at)
      select u.id, ${userId}, 'TIKTOK', u.open_id, 'Seeded ' || u.open_id, string_to_array(u.scope, ','), u.access, u.refresh,
        u.expiry, u.refresh_expiry, u.next, 'ACTIVE', ${at}::timestamptz, 0, ${at}::timestamptz, ${at}::timestamptz
      from unnest(${sql.param(columns.id)}::text[], ${sql.param(columns.openId)}::text[], ${sql.param(columns.scope)}::text[],
        ${sql.param(columns.access)}::text[], ${sql.param(columns.refresh)}::text[], ${sql.param(columns.expiry)}::timestamptz[],
        ${sql.param(columns.refreshExpiry)}::timestamptz[], ${sql.param(columns.next)}::timestamptz[])
        as u(id, open_id, scope, access, refresh, expiry, refresh_expiry, next)`);
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

  await db
    .insert(user)
    .values({ id: userId, name: "Seeded user", email: `${userId}@seed.test`, createdAt: now, updatedAt: now })
    .onConflictDoNothing();

  const accounts: SeededAccount[] = [];
  for (let start = 0; start < count; start += chunkSize) {
    const size = Math.min(chunkSize, count - start);
    const requests = Array.from({ length: size }, (_, i) => ({ accountId: `${prefix}-${start + i}`, scopes: DEFAULT_YOUTUBE_SCOPES }));
    const issued = await options.issueGoogleTokens(requests);
    if (issued.length !== size) throw new Error(`token source issued ${issued.length} of ${size} token pairs`);

    const columns = { id: [] as string[], channel: [] as string[], scope: [] as string[], access: [] as string[], refresh: [] as string[], expiry: [] as string[], next: [] as string[] };
    issued.forEach((tokens, i) => {
      if (!tokens.refresh_token) throw new Error("the Google sandbox issued no refresh token (offline access)");
      const id = randomUUID();
      const channel = channelIdFor(requests[i]!.accountId);
      const schedule = tokenSchedule({ expiresIn: tokens.expires_in, refreshExpiresIn: undefined }, now);
      accounts.push({ id, openId: channel, accessToken: tokens.access_token, refreshToken: tokens.refresh_token });
      columns.id.push(id);
      columns.channel.push(channel);
      columns.scope.push(tokens.scope);
      columns.access.push(cipher.encrypt(tokens.access_token, tokenAad(id, "access_token")));
      columns.refresh.push(cipher.encrypt(tokens.refresh_token, tokenAad(id, "refresh_token")));
      columns.expiry.push(schedule.tokenExpiry.toISOString());
      columns.next.push((options.dueAt ?? schedule.nextRefreshAt).toISOString());
    });
    const at = now.toISOString();
    await db.execute(sql`
      insert into social_accounts (id, user_id, platform, platform_user_id, display_name, scopes, access_token, refresh_token,
        token_expiry, refresh_token_expiry, next_refresh_at, status, last_refreshed_at, refresh_failures, created_at, updated_at)
      select u.id, ${userId}, 'YOUTUBE', u.channel, 'Seeded ' || u.channel, string_to_array(u.scope, ' '), u.access, u.refresh,
        u.expiry, null, u.next, 'ACTIVE', ${at}::timestamptz, 0, ${at}::timestamptz, ${at}::timestamptz
      from unnest(${sql.param(columns.id)}::text[], ${sql.param(columns.channel)}::text[], ${sql.param(columns.scope)}::text[],
        ${sql.param(columns.access)}::text[], ${sql.param(columns.refresh)}::text[], ${sql.param(columns.expiry)}::timestamptz[],
        ${sql.param(columns.next)}::timestamptz[])
        as u(id, channel, scope, access, refresh, expiry, next)`);
  }
  return { userId, accounts };
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
