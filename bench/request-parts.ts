/**
 * `BENCH_ONLY=parts`: the CPU of the pieces every request repeats, each beside the way it was
 * done before in the same process (issue #14, docs/performance.md "Request path"):
 *
 * - the owner's account read (every account route and page): drizzle building the select on
 *   each call vs the prebuilt query (src/lib/db/prebuilt.ts), both run against PostgreSQL;
 * - the connect upsert's SQL: drizzle's insert builder inside a CTE vs the flat statement
 *   (building only: the statement's text and parameters);
 * - the signed session copy check (every request): Better Auth's `getCookieCache` vs
 *   `cachedSessionUser` (src/lib/auth/cached-session.ts), on a real signed-in browser's cookie.
 *
 * CPU per call is this process's user + system time over many calls (not wall time: the
 * database's share of a round trip is not ours).
 */
import { and, eq, sql } from "drizzle-orm";
import { getCookieCache, getSessionCookie } from "better-auth/cookies";
import { socialAccounts } from "@/lib/db/schema";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { cachedSessionUser } from "@/lib/auth/cached-session";
import { accountRowAt } from "../tests/helpers/account-row";
import { startAppHarness } from "../tests/helpers/app-harness";
import { adminUrl } from "./lib";

export interface PartRow {
  name: string;
  baselineName: string;
  baselineUs: number;
  nowUs: number;
}

/** Microseconds of this process's CPU per call of `work`, after a warm-up. */
async function cpuPerCall(calls: number, work: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(500, calls); i++) await work();
  const before = process.cpuUsage();
  for (let i = 0; i < calls; i++) await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

export async function benchRequestParts(options: { calls: number }): Promise<PartRow[]> {
  process.env.TEST_DATABASE_URL = adminUrl();
  const h = await startAppHarness();
  try {
    const { db } = h;
    const person = await h.signUp();
    const now = new Date();
    const accountId = crypto.randomUUID();
    await db.insert(socialAccounts).values(accountRowAt(now, { id: accountId, userId: person.id, platformUserId: `o-${accountId}` }));
    const rows: PartRow[] = [];

    // 1. The owner's account read.
    const builtPerCall = async () => {
      const [row] = await db
        .select()
        .from(socialAccounts)
        .where(and(eq(socialAccounts.id, accountId), eq(socialAccounts.userId, person.id)));
      if (!row) throw new Error("account not found");
    };
    const prebuiltRead = async () => {
      if (!(await accountsOf(db, person.id).get(accountId))) throw new Error("account not found");
    };
    // Alternated halves, so a drift of the machine falls on both.
    const half = Math.floor(options.calls / 2);
    const built = [await cpuPerCall(half, builtPerCall)];
    const pre = [await cpuPerCall(half, prebuiltRead)];
    built.push(await cpuPerCall(half, builtPerCall));
    pre.push(await cpuPerCall(half, prebuiltRead));
    rows.push({ name: "owner's account read, prebuilt", baselineName: "built per call", baselineUs: mean(built), nowUs: mean(pre) });

    // 2. The connect upsert's SQL, built.
    const dialect = (db as unknown as { dialect: { sqlToQuery(query: unknown): { sql: string; params: unknown[] } } }).dialect;
    const at = (d: Date) => d.toISOString();
    const values = {
      unionId: null, displayName: "Ava", avatarUrl: null, scopes: ["user.info.basic", "video.list"], accessToken: "v1.k1.aaaa",
      refreshToken: "v1.k1.bbbb", providerData: null, tokenExpiry: now, refreshTokenExpiry: now, nextRefreshAt: now, status: "ACTIVE" as const,
      statusReason: null, lastRefreshedAt: now, refreshFailures: 0, refreshLeaseId: null, refreshLeaseUntil: null, reconnectRequestedAt: null, updatedAt: now,
    };
    const builderUpsert = () => {
      const upsert = db
        .insert(socialAccounts)
        .values({ id: accountId, userId: person.id, platform: "TIKTOK", platformUserId: "o-1", createdAt: now, ...values })
        .onConflictDoUpdate({
          target: [socialAccounts.platform, socialAccounts.platformUserId],
          set: { ...values, refreshToken: sql`coalesce(excluded.refresh_token, ${socialAccounts.refreshToken})` },
          setWhere: and(eq(socialAccounts.id, accountId), eq(socialAccounts.userId, person.id)),
        })
        .returning({ id: socialAccounts.id, userId: socialAccounts.userId, inserted: sql<boolean>`(xmax = 0)`.as("inserted") });
      return dialect.sqlToQuery(sql`with saved as (${upsert.getSQL()}), logged as (insert into account_events (account_id, user_id, kind, created_at)
        select id, user_id, case when inserted then 'connected' else 'reconnected' end, ${at(now)}::timestamptz from saved) select id, inserted from saved`);
    };
    // The shape of account-store.ts's statement: the same columns and parameters.
    const flatUpsert = () =>
      dialect.sqlToQuery(sql`with saved as (insert into social_accounts as account (id, user_id, platform, platform_user_id, created_at,
        union_id, display_name, avatar_url, scopes, access_token, refresh_token, provider_data, token_expiry, refresh_token_expiry,
        next_refresh_at, status, status_reason, last_refreshed_at, refresh_failures, refresh_lease_id, refresh_lease_until,
        reconnect_requested_at, updated_at) values (${accountId}, ${person.id}, ${"TIKTOK"}, ${"o-1"}, ${at(now)}, ${null}, ${"Ava"}, ${null},
        ${sql.param(values.scopes, socialAccounts.scopes)}, ${"v1.k1.aaaa"}, ${"v1.k1.bbbb"}, ${null}, ${at(now)}, ${at(now)}, ${at(now)},
        'ACTIVE', null, ${at(now)}, 0, null, null, null, ${at(now)}) on conflict (platform, platform_user_id) do update set
        union_id = excluded.union_id where account.id = ${accountId} and account.user_id = ${person.id}
        returning account.id, account.user_id, (xmax = 0) as inserted), logged as (insert into account_events (account_id, user_id, kind, created_at)
        select id, user_id, case when inserted then 'connected' else 'reconnected' end, ${at(now)}::timestamptz from saved) select id, inserted from saved`);
    const calls = options.calls * 2;
    rows.push({
      name: "connect upsert SQL built, flat statement",
      baselineName: "insert builder in a CTE",
      baselineUs: await cpuPerCall(calls, builderUpsert),
      nowUs: await cpuPerCall(calls, flatUpsert),
    });

    // 3. The signed session copy.
    const headers = new Headers({ cookie: person.cookie });
    const isSecure = h.auth.options.advanced?.useSecureCookies === true;
    const betterAuthCheck = async () => {
      const token = getSessionCookie(headers);
      const payload = await getCookieCache(headers, { secret: h.auth.options.secret, isSecure, strategy: "compact" });
      if (!token || !payload) throw new Error("no session copy");
    };
    const ourCheck = () => {
      if (!cachedSessionUser(h.auth, headers)) throw new Error("no session copy");
    };
    rows.push({
      name: "session copy checked, node:crypto",
      baselineName: "Better Auth getCookieCache",
      baselineUs: await cpuPerCall(calls, betterAuthCheck),
      nowUs: await cpuPerCall(calls, ourCheck),
    });
    return rows;
  } finally {
    await h.close();
  }
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
