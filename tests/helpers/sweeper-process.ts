import { registryOf } from "./security-kit";
/**
 * One refresh-sweeper process, built directly from its parts (no app globals), for the
 * multi-process test and the benchmark:
 *
 *   DATABASE_URL=postgres://… TIKTOK_API_BASE_URL=http://127.0.0.1:4010 \
 *   TOKEN_ENCRYPTION_KEYS=k1:<base64> node --import tsx tests/helpers/sweeper-process.ts
 *
 * Sweeps until two sweeps in a row claim nothing, then prints one JSON line on stdout:
 * `{"pid", "sweeps", "claimed", "outcomes", "statements", "sweepMs", "peakRssMb", ...}` and exits 0.
 *
 * Optional env: TIKTOK_CLIENT_KEY / TIKTOK_CLIENT_SECRET (default: the sandbox's client),
 * GOOGLE_API_BASE_URL (a Google sandbox: YouTube rows are then refreshed there, with its
 * default client unless GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET say otherwise),
 * SWEEP_BATCH_SIZE, SWEEP_CONCURRENCY, SWEEP_POOL_MAX, LOG_LEVEL (default warn; logs go to
 * stderr), SWEEP_WAIT_FOR_GO=1 (print `{"ready":true}` and wait for a line on stdin before the
 * first sweep, so a test can start several processes at the same instant).
 */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import pino from "pino";
import { Pool } from "pg";
import { drizzle } from "drizzle-orm/node-postgres";
import * as schema from "@/lib/db/schema";
import type { Database } from "@/lib/db/client";
import { createTokenCipher, parseKeyring } from "@/lib/crypto";
import { createLogger } from "@/lib/log/logger";
import { TikTokProvider } from "@/lib/providers/tiktok/oauth-provider";
import { YouTubeProvider } from "@/lib/providers/youtube/provider";
import { loadYouTubeConfig } from "@/lib/providers/youtube/config";
import { DEFAULT_CLIENT as GOOGLE_SANDBOX_CLIENT } from "../../sandbox/google/options";
import { ConnectionService } from "@/lib/connections/connection-service";
import { TokenRefresher } from "@/lib/connections/token-refresher";
import { RefreshSweeper, type SweepResult } from "@/lib/connections/refresh-sweeper";
import { sandboxTikTokConfig } from "./seed-accounts";

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`sweeper-process: ${name} is required`);
    process.exit(2);
  }
  return value;
}

function numberEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`sweeper-process: ${name} must be a positive integer`);
    process.exit(2);
  }
  return value;
}

/** Busy and total jiffies of the whole machine (/proc/stat), to tell how loaded the cores were. */
function machineCpu(): { busy: number; total: number } {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/**
 * CPU the PostgreSQL backends serving this process have used (utime + stime from /proc, in
 * ms), when the server runs on this machine and /proc is readable; undefined otherwise.
 */
async function backendCpuMs(pool: Pool): Promise<number | undefined> {
  try {
    const { rows } = await pool.query<{ pid: number }>(
      "select pid from pg_stat_activity where datname = current_database() and application_name = 'socialflow-sweeper'",
    );
    const ticksPerSecond = 100; // USER_HZ on Linux
    let ticks = 0;
    for (const { pid } of rows) {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return rows.length > 0 ? (ticks / ticksPerSecond) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

async function waitForGo(): Promise<void> {
  process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once("line", () => resolve()));
  lines.close();
}

async function main(): Promise<void> {
  const databaseUrl = required("DATABASE_URL");
  const apiBaseUrl = required("TIKTOK_API_BASE_URL");
  const keys = required("TOKEN_ENCRYPTION_KEYS");
  const batchSize = numberEnv("SWEEP_BATCH_SIZE", 100);
  const concurrency = numberEnv("SWEEP_CONCURRENCY", 16);
  const poolMax = numberEnv("SWEEP_POOL_MAX", Math.max(4, Math.min(concurrency + 2, 40)));

  const pool = new Pool({ connectionString: databaseUrl, max: poolMax, application_name: "socialflow-sweeper", idleTimeoutMillis: 0 });
  pool.on("error", () => {});
  // Every statement the sweeper sends goes through pool.query (it uses no transactions).
  let statements = 0;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    statements++;
    return query(...args);
  };
  const db = drizzle(pool, { schema }) as unknown as Database;

  const logger = createLogger({ level: process.env.LOG_LEVEL ?? "warn", destination: pino.destination(2) });
  const cipher = createTokenCipher(parseKeyring(keys));
  const config = sandboxTikTokConfig(apiBaseUrl, {
    ...(process.env.TIKTOK_CLIENT_KEY ? { clientKey: process.env.TIKTOK_CLIENT_KEY } : {}),
    ...(process.env.TIKTOK_CLIENT_SECRET ? { clientSecret: process.env.TIKTOK_CLIENT_SECRET } : {}),
  });
  const oauth = new ConnectionService({ db, cipher, logger, provider: new TikTokProvider(config) });
  // A Google sandbox given: YouTube rows are refreshed there (the sweeper dispatches on the row's platform).
  const googleUrl = process.env.GOOGLE_API_BASE_URL;
  const youtube = googleUrl
    ? loadYouTubeConfig(
        {
          GOOGLE_CLIENT_ID: process.env.GOOGLE_CLIENT_ID || GOOGLE_SANDBOX_CLIENT.clientId,
          GOOGLE_CLIENT_SECRET: process.env.GOOGLE_CLIENT_SECRET || GOOGLE_SANDBOX_CLIENT.clientSecret,
          GOOGLE_AUTH_URL: `${googleUrl}/o/oauth2/v2/auth`,
          GOOGLE_TOKEN_URL: `${googleUrl}/token`,
          GOOGLE_REVOKE_URL: `${googleUrl}/revoke`,
          YOUTUBE_API_BASE_URL: googleUrl,
          GOOGLE_SANDBOX: "on",
        },
        "http://localhost:3000",
      )
    : undefined;
  const providers = registryOf(oauth.provider, ...(youtube ? [new YouTubeProvider(youtube)] : []));
  const refresher = new TokenRefresher({ db, cipher, providers, logger });
  const sweeper = new RefreshSweeper({ db, refresher, logger, batchSize, concurrency });

  // Warm the pool and the code paths that load lazily, outside the measured time.
  await pool.query("select 1");
  statements = 0;
  if (process.env.SWEEP_WAIT_FOR_GO === "1") await waitForGo();

  let stopping = false;
  process.once("SIGTERM", () => (stopping = true));
  process.once("SIGINT", () => (stopping = true));

  let peakRss = process.memoryUsage.rss();
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 25);
  const startRss = peakRss;

  const outcomes: SweepResult["outcomes"] = {};
  let claimed = 0;
  let sweeps = 0;
  let emptyInARow = 0;
  let lastClaimAt = performance.now();
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const machineStart = machineCpu();
  while (emptyInARow < 2 && !stopping) {
    const result = await sweeper.sweepOnce();
    sweeps++;
    claimed += result.claimed;
    for (const [status, n] of Object.entries(result.outcomes)) {
      const key = status as keyof SweepResult["outcomes"];
      outcomes[key] = (outcomes[key] ?? 0) + (n ?? 0);
    }
    if (result.claimed === 0) {
      emptyInARow++;
    } else {
      emptyInARow = 0;
      lastClaimAt = performance.now();
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  const machineEnd = machineCpu();
  clearInterval(sampler);
  const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  const summary: Record<string, unknown> = {
    pid: process.pid,
    batchSize,
    concurrency,
    sweeps,
    claimed,
    outcomes,
    statements,
    // Until the last batch finished (the two empty sweeps at the end are not work).
    sweepMs: Math.round(lastClaimAt - started),
    totalMs: Math.round(performance.now() - started),
    /** CPU this process used while sweeping (user + system). */
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    /** How busy the whole machine (all cores, every process) was meanwhile, in percent. */
    machineBusyPct: Math.round((100 * (machineEnd.busy - machineStart.busy)) / Math.max(1, machineEnd.total - machineStart.total)),
    startRssMb: mb(startRss),
    peakRssMb: mb(peakRss),
    peakHeapMb: mb(peakHeap),
    maxRssMb: mb(process.resourceUsage().maxRSS * 1024),
  };
  const pgBackendCpuMs = await backendCpuMs(pool);
  await pool.end();
  if (pgBackendCpuMs !== undefined) summary.pgBackendCpuMs = Math.round(pgBackendCpuMs);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((error: unknown) => {
  console.error(`sweeper-process failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
