/**
 * EXPERIMENT, not SocialFlow's code path: what the refresh sweep would sustain if a batch's
 * results were written with two statements per flush (one UPDATE … FROM unnest(…) under the
 * batch's lease, one multi-row INSERT of `refreshed` events) instead of two statements per
 * account. Same claim, same TikTokOAuthService, same cipher, same sandbox; failures are only
 * released, not classified. Run by `BENCH_EXPERIMENTS=1 npm run bench`; same env and summary
 * line as tests/helpers/sweeper-process.ts.
 *
 * Trade-off it measures against: a rotated refresh token lives only in memory until its flush
 * (up to SWEEP_FLUSH_SIZE accounts), where today only the in-flight ones do.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import pino from "pino";
import { Pool } from "pg";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import * as schema from "@/lib/db/schema";
import type { Database } from "@/lib/db/client";
import { createTokenCipher, parseKeyring } from "@/lib/crypto";
import { createLogger } from "@/lib/log/logger";
import { tokenAad } from "@/lib/oauth/account-store";
import { releaseRefreshLease } from "@/lib/oauth/refresh-lease";
import { TikTokOAuthService } from "@/lib/oauth/tiktok-oauth-service";
import { tokenSchedule } from "@/lib/oauth/token-schedule";
import { claimDueAccounts } from "@/lib/jobs/claim-due";
import { sandboxTikTokConfig } from "../../tests/helpers/seed-accounts";

interface Refreshed {
  id: string;
  userId: string;
  access: string;
  refresh: string | null;
  tokenExpiry: string;
  refreshTokenExpiry: string | null;
  next: string;
}

/** As in tests/helpers/sweeper-process.ts: CPU of this process's PostgreSQL backends, from /proc. */
async function backendCpuMs(pool: Pool): Promise<number | undefined> {
  try {
    const { rows } = await pool.query<{ pid: number }>(
      "select pid from pg_stat_activity where datname = current_database() and application_name = 'socialflow-sweeper'",
    );
    let ticks = 0;
    for (const { pid } of rows) {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return rows.length > 0 ? Math.round(ticks * 10) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const env = (name: string) => process.env[name] ?? "";
  const batchSize = Number(env("SWEEP_BATCH_SIZE") || 200);
  const concurrency = Number(env("SWEEP_CONCURRENCY") || 32);
  const flushSize = Number(env("SWEEP_FLUSH_SIZE") || 50);
  const pool = new Pool({ connectionString: env("DATABASE_URL"), max: Number(env("SWEEP_POOL_MAX") || 8), application_name: "socialflow-sweeper", idleTimeoutMillis: 0 });
  let statements = 0;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    statements++;
    return query(...args);
  };
  const db = drizzle(pool, { schema }) as unknown as Database;
  const logger = createLogger({ level: "warn", destination: pino.destination(2) });
  const cipher = createTokenCipher(parseKeyring(env("TOKEN_ENCRYPTION_KEYS")));
  const oauth = new TikTokOAuthService({ db, cipher, logger }, sandboxTikTokConfig(env("TIKTOK_API_BASE_URL")));
  await pool.query("select 1");
  statements = 0;

  const flush = async (items: Refreshed[], leaseId: string, now: string) => {
    if (items.length === 0) return;
    const col = <K extends keyof Refreshed>(key: K) => sql.param(items.map((i) => i[key]));
    await db.execute(sql`
      update social_accounts a set access_token = u.access, refresh_token = coalesce(u.refresh, a.refresh_token),
        token_expiry = u.token_expiry, refresh_token_expiry = coalesce(u.refresh_token_expiry, a.refresh_token_expiry),
        next_refresh_at = u.next, last_refreshed_at = ${now}::timestamptz, refresh_failures = 0, status = 'ACTIVE',
        status_reason = null, updated_at = ${now}::timestamptz, refresh_lease_id = null, refresh_lease_until = null
      from unnest(${col("id")}::text[], ${col("access")}::text[], ${col("refresh")}::text[], ${col("tokenExpiry")}::timestamptz[],
        ${col("refreshTokenExpiry")}::timestamptz[], ${col("next")}::timestamptz[]) as u(id, access, refresh, token_expiry, refresh_token_expiry, next)
      where a.id = u.id and a.refresh_lease_id = ${leaseId}`);
    await db.execute(sql`
      insert into account_events (account_id, user_id, kind, created_at)
      select u.id, u.user_id, 'refreshed', ${now}::timestamptz from unnest(${col("id")}::text[], ${col("userId")}::text[]) as u(id, user_id)`);
  };

  const started = performance.now();
  const cpuStart = process.cpuUsage();
  let claimed = 0;
  let refreshed = 0;
  let empty = 0;
  let lastClaimAt = started;
  while (empty < 2) {
    const { leaseId, rows } = await claimDueAccounts(db, { now: new Date(), limit: batchSize });
    if (rows.length === 0) {
      empty++;
      continue;
    }
    empty = 0;
    claimed += rows.length;
    let pending: Refreshed[] = [];
    const flushing: Promise<void>[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, rows.length) }, async () => {
        while (next < rows.length) {
          const row = rows[next++]!;
          try {
            const tokens = await oauth.refreshAccessToken(cipher.decrypt(row.refreshToken!, tokenAad(row.id, "refresh_token")));
            const schedule = tokenSchedule(tokens, new Date());
            pending.push({
              id: row.id,
              userId: row.userId,
              access: cipher.encrypt(tokens.accessToken, tokenAad(row.id, "access_token")),
              refresh: tokens.refreshToken ? cipher.encrypt(tokens.refreshToken, tokenAad(row.id, "refresh_token")) : null,
              tokenExpiry: schedule.tokenExpiry.toISOString(),
              refreshTokenExpiry: schedule.refreshTokenExpiry?.toISOString() ?? null,
              next: schedule.nextRefreshAt.toISOString(),
            });
            refreshed++;
            if (pending.length >= flushSize) {
              const items = pending;
              pending = [];
              flushing.push(flush(items, leaseId, new Date().toISOString()));
            }
          } catch {
            await releaseRefreshLease(db, row.id, leaseId);
          }
        }
      }),
    );
    flushing.push(flush(pending, leaseId, new Date().toISOString()));
    await Promise.all(flushing);
    lastClaimAt = performance.now();
  }
  const cpu = process.cpuUsage(cpuStart);
  const pgBackendCpuMs = await backendCpuMs(pool);
  await pool.end();
  process.stdout.write(
    `${JSON.stringify({
      experiment: "batched-writes",
      runId: randomUUID(),
      batchSize,
      concurrency,
      flushSize,
      claimed,
      outcomes: { refreshed },
      statements,
      sweepMs: Math.round(lastClaimAt - started),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      startRssMb: 0,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      peakHeapMb: 0,
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      ...(pgBackendCpuMs === undefined ? {} : { pgBackendCpuMs }),
    })}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(`batched-writes experiment failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
