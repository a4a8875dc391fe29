import type { OAuthTokens } from "@/lib/connections/types";
import { refreshRoute, disconnectRoute } from "./oauth-routes";
/**
 * Small tools shared by the security and refresh integration tests (docs/security.md cases).
 */
import { eq, sql } from "drizzle-orm";
import { openDatabase, type Database, type DatabaseHandle } from "@/lib/db/client";
import { setDatabaseForTests } from "@/lib/db";
import { accountEvents, oauthStates, socialAccounts } from "@/lib/db/schema";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { MANUAL_REFRESH_WINDOW_MS } from "@/lib/connections/manual-refresh";
import { saveConnection, tokenAad } from "@/lib/connections/account-store";
import { BINDING_COOKIE } from "@/lib/connections/browser-binding";
import { TikTokProvider, type ProviderTransport } from "@/lib/providers/tiktok/oauth-provider";
import { ConnectionService, type ConnectionServiceDeps } from "@/lib/connections/connection-service";
import { ProviderRegistry } from "@/lib/providers/registry";
import type { ConnectionProvider } from "@/lib/connections/provider";
import { APP_URL, resetAppGlobals, type AppHarness, type TestBrowser } from "./app-harness";

/** Rows of a query result from either driver (PGlite and node-postgres both answer `{ rows }`). */
function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

/** `select *` of every table in the public schema, as one JSON string (S29's "database dump"). */
export async function dumpDatabase(db: Database): Promise<string> {
  const tables = rowsOf<{ table_name: string }>(
    await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`),
  ).map((r) => r.table_name);
  const dump: Record<string, unknown[]> = {};
  for (const table of tables) dump[table] = rowsOf(await db.execute(sql.raw(`select * from "${table.replace(/"/g, '""')}"`)));
  return JSON.stringify(dump);
}

/**
 * Swaps the app's database for a proxy that counts every use, so a test can prove a request
 * was answered before any database lookup (S1, S11). Call `release()` (or harness.install()) after.
 */
export function trapDatabase(h: AppHarness): { uses: () => number; release(): void } {
  let uses = 0;
  const db = new Proxy(h.db, {
    get(target, prop, receiver) {
      uses++;
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  resetAppGlobals();
  setDatabaseForTests({ ...(h.database as DatabaseHandle), db });
  return { uses: () => uses, release: () => h.install() };
}

/** The browser-binding cookie value a browser holds (undefined before its first authorize). */
export function bindingOf(browser: TestBrowser): string | undefined {
  for (const part of browser.cookieHeader.split("; ")) {
    const [name, ...rest] = part.split("=");
    if (name === BINDING_COOKIE) return rest.join("=");
  }
  return undefined;
}

/** The `state` an authorize URL carries. */
export function stateOf(authorizeUrl: string): string {
  const state = new URL(authorizeUrl).searchParams.get("state");
  if (!state) throw new Error("authorize URL without state");
  return state;
}

export async function stateRowsOf(db: Database, userId: string) {
  return db.select().from(oauthStates).where(eq(oauthStates.userId, userId));
}

export async function accountRowsOf(db: Database, userId: string) {
  return db.select().from(socialAccounts).where(eq(socialAccounts.userId, userId));
}

export async function accountRow(db: Database, accountId: string) {
  const [row] = await db.select().from(socialAccounts).where(eq(socialAccounts.id, accountId));
  return row;
}

export async function eventKinds(db: Database, accountId: string): Promise<string[]> {
  const rows = await db.select().from(accountEvents).where(eq(accountEvents.accountId, accountId)).orderBy(accountEvents.id);
  return rows.map((r) => r.kind);
}

/** The plaintext tokens of a stored account, decrypted with the app's cipher. */
export async function storedTokens(db: Database, accountId: string) {
  const row = await accountRow(db, accountId);
  if (!row) throw new Error(`no account ${accountId}`);
  const cipher = getTokenCipher();
  return {
    accessToken: cipher.decrypt(row.accessToken, tokenAad(row.id, "access_token")),
    refreshToken: row.refreshToken ? cipher.decrypt(row.refreshToken, tokenAad(row.id, "refresh_token")) : undefined,
  };
}

/**
 * TikTok's connect flow outside the process-wide services: the harness's db, config and cipher,
 * plus any deps; `fetch`/`timeoutMs` go to the provider.
 */
export function directOAuthService(h: AppHarness, deps: Partial<Omit<ConnectionServiceDeps, "provider">> & ProviderTransport = {}): ConnectionService {
  const { fetch, timeoutMs, ...rest } = deps;
  return new ConnectionService({ db: h.db, cipher: getTokenCipher(), provider: new TikTokProvider(h.config.tiktok, { fetch, timeoutMs }), ...rest });
}

/** A registry of these providers (a test's own, beside the process-wide one). */
export function registryOf(...providers: ConnectionProvider[]): ProviderRegistry {
  return new ProviderRegistry(providers);
}

/** The same provider with some calls replaced (a slow or failing token endpoint, a revoke spy). */
export function providerWith(base: ConnectionProvider, overrides: Partial<Pick<ConnectionProvider, "refresh" | "revoke">>): ConnectionProvider {
  return Object.assign(Object.create(base) as ConnectionProvider, overrides);
}

/**
 * An account linked without the consent page (any open_id): tokens minted by the sandbox as if
 * exchanged, stored by the app's own saveConnection. Returns its id and the plaintext tokens.
 */
export async function seedAccount(h: AppHarness, userId: string, openId: string, scopes = ["user.info.basic", "video.list"]) {
  const issued = h.sandbox.control.issueTokensDirectly({ openId, scopes });
  const saved = await saveConnection(h.db, getTokenCipher(), {
    userId,
    platform: "TIKTOK",
    tokens: {
      accessToken: issued.access_token,
      refreshToken: issued.refresh_token,
      expiresIn: issued.expires_in,
      refreshExpiresIn: issued.refresh_expires_in,
      scopes: issued.scope.split(","),
      providerUserId: issued.open_id,
    },
    profile: { providerUserId: openId, unionId: undefined, displayName: `Seeded ${openId}`, avatarUrl: undefined },
    scopes: issued.scope.split(","),
    now: new Date(),
  });
  return { id: saved.id, accessToken: issued.access_token, refreshToken: issued.refresh_token };
}

function jsonPost(browser: TestBrowser, path: string, body: unknown, origin?: string | null): Request {
  return browser.request(`${APP_URL}${path}`, {
    method: "POST",
    origin,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** POST /api/oauth/tiktok/refresh as this browser. */
export async function postRefresh(browser: TestBrowser, accountId: string, origin?: string | null) {
  const response = await refreshRoute(jsonPost(browser, "/api/oauth/tiktok/refresh", { accountId }, origin));
  return { response, status: response.status, body: (await response.clone().json()) as Record<string, unknown> };
}

/** POST /api/oauth/tiktok/disconnect as this browser. */
export async function postDisconnect(browser: TestBrowser, accountId: string, origin?: string | null) {
  const response = await disconnectRoute(jsonPost(browser, "/api/oauth/tiktok/disconnect", { accountId }, origin));
  return { response, status: response.status, body: (await response.clone().json()) as Record<string, unknown> };
}

/** Sandbox counter deltas: `since()` returns how many requests each endpoint got after `mark`. */
export function counterMark(h: AppHarness) {
  const start = h.sandbox.control.counters();
  return {
    token: () => h.sandbox.control.counters().token - start.token,
    codeExchanges: () => h.sandbox.control.counters().tokenByGrant.authorization_code - start.tokenByGrant.authorization_code,
    refreshes: () => h.sandbox.control.counters().tokenByGrant.refresh_token - start.tokenByGrant.refresh_token,
    revoke: () => h.sandbox.control.counters().revoke - start.revoke,
    userInfo: () => h.sandbox.control.counters().user_info - start.user_info,
  };
}

/** Removes every linked account and pending state (the sandbox has three seeded users only). */
export async function clearAccounts(db: Database): Promise<void> {
  await db.delete(socialAccounts);
  await db.delete(oauthStates);
}

/**
 * Moves an account's refresh times (its last token and its manual-refresh claim) back by more
 * than the Refresh button's minute, as if that minute had passed: the next Refresh calls TikTok.
 */
export async function letRefreshMinutePass(db: Database, accountId: string): Promise<void> {
  const back = sql`interval '1 second' * ${Math.ceil(MANUAL_REFRESH_WINDOW_MS / 1000) + 1}`;
  await db
    .update(socialAccounts)
    .set({
      lastRefreshedAt: sql`${socialAccounts.lastRefreshedAt} - ${back}`,
      manualRefreshAt: sql`${socialAccounts.manualRefreshAt} - ${back}`,
    })
    .where(eq(socialAccounts.id, accountId));
}

/** A stand-in for the provider's token calls as the refresh tests write them. */
export type FakeTokenCalls = {
  refreshAccessToken?: (refreshToken: string) => Promise<OAuthTokens>;
  /** Called with the access token the core asked to revoke; false = the revoke failed. */
  revokeQuietly?: (accessToken: string, reason: string) => Promise<boolean>;
};

/** `base` with the fake's calls in place of its own (a ConnectionService's provider as it is). */
export function fakeProvider(base: ConnectionProvider, fake: FakeTokenCalls | ConnectionService | undefined): ConnectionProvider {
  if (fake === undefined) return base;
  if (fake instanceof ConnectionService) return fake.provider;
  const { refreshAccessToken, revokeQuietly } = fake;
  return providerWith(base, {
    ...(refreshAccessToken ? { refresh: refreshAccessToken } : {}),
    ...(revokeQuietly
      ? {
          revoke: async ({ accessToken }: { accessToken: string }) => {
            if (!(await revokeQuietly(accessToken, "revoke"))) throw new Error("revoke failed");
          },
        }
      : {}),
  });
}

/**
 * A second connection pool on the harness's database — another app instance, as far as the
 * database can tell. Only on a real PostgreSQL (PGlite is one in-process connection): undefined there.
 */
export async function openSecondPool(h: AppHarness, max = 5): Promise<DatabaseHandle | undefined> {
  const url = (h.database as { url?: string }).url;
  return url ? openDatabase({ url, max }) : undefined;
}
