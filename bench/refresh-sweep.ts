/**
 * Benchmark (a): the proactive refresh sweep on the real PostgreSQL against the TikTok sandbox
 * running in another process. For each size: seed N due accounts, measure the sandbox's raw
 * token endpoint (a plain fetch loop of refresh_token grants, same concurrency), then run one
 * sweeper process (tests/helpers/sweeper-process.ts) until nothing is due, and check that
 * every account was refreshed exactly once.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { createTokenCipher, parseKeyring } from "@/lib/crypto";
import { socialAccounts } from "@/lib/db/schema";
import { tokenAad } from "@/lib/connections/account-store";
import { seedConnectedAccounts } from "../tests/helpers/seed-accounts";
import {
  cpuBusyPercent,
  cpuTimes,
  fmt,
  openBenchDatabase,
  PROFILE_DIR,
  ROOT,
  runConcurrently,
  sandboxRefresh,
  scalar,
  startSandboxProcess,
  type SandboxProcess,
} from "./lib";

export interface SweepSettings {
  batchSize: number;
  concurrency: number;
  poolMax: number;
}

export interface SweeperSummary {
  claimed: number;
  outcomes: Record<string, number>;
  statements: number;
  sweepMs: number;
  startRssMb: number;
  peakRssMb: number;
  peakHeapMb: number;
  maxRssMb: number;
  cpuMs?: number;
  machineBusyPct?: number;
  pgBackendCpuMs?: number;
}

export interface SweepRow {
  size: number;
  settings: SweepSettings;
  seedSec: number;
  refreshesPerSec: number;
  baselinePerSec: number;
  ratio: number;
  statementsPerRefresh: number;
  sweeperPeakRssMb: number;
  sweeperStartRssMb: number;
  sweeperPeakHeapMb: number;
  machineCpuBusy: number;
  sweeperCpuSec: number;
  sandboxCpuSec: number;
  pgCpuSec: number;
  sweepSec: number;
  verified: string;
}


const SCOPES = ["user.info.basic", "video.list", "video.upload"];

/** The sandbox's own token endpoint, no SocialFlow: `count` refresh_token grants from `concurrency` loops. */
async function sandboxBaseline(sandbox: SandboxProcess, count: number, concurrency: number): Promise<number> {
  const tag = randomBytes(3).toString("hex");
  const refreshTokens: string[] = [];
  for (let start = 0; start < count; start += 5000) {
    const requests = Array.from({ length: Math.min(5000, count - start) }, (_, i) => ({ openId: `base-${tag}-${start + i}`, scopes: SCOPES }));
    for (const t of await sandbox.issueTokens(requests)) refreshTokens.push(t.refresh_token);
  }
  let failures = 0;
  const ms = await runConcurrently(count, concurrency, async (i) => {
    if (!(await sandboxRefresh(sandbox.url, refreshTokens[i]!))) failures++;
  });
  if (failures > 0) throw new Error(`sandbox baseline: ${failures} refreshes failed`);
  return (count / ms) * 1000;
}

/** The real sweeper process (the one the multi-process test runs). */
export const SWEEPER_SCRIPT = "tests/helpers/sweeper-process.ts";

function runSweeperProcess(env: Record<string, string>): Promise<SweeperSummary> {
  return new Promise((resolve, reject) => {
    // BENCH_PROFILE=1: a V8 CPU profile of each sweeper run (summarise with `tsx bench/profile-summary.ts <file>`).
    const profile = process.env.BENCH_PROFILE === "1" ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : [];
    const child = spawn(process.execPath, [...profile, "--import", "tsx", SWEEPER_SCRIPT], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`sweeper process exited ${code}`));
      try {
        resolve(JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as SweeperSummary);
      } catch {
        reject(new Error(`sweeper process printed no summary: ${stdout.slice(-500)}`));
      }
    });
  });
}

export async function benchRefreshSweep(options: {
  sizes: number[];
  settings: SweepSettings;
  baselineMax: number;
  log: (line: string) => void;
}): Promise<SweepRow[]> {
  const { log } = options;
  const sandbox = await startSandboxProcess();
  const database = await openBenchDatabase();
  const keys = `k1:${randomBytes(32).toString("base64")}`;
  const cipher = createTokenCipher(parseKeyring(keys));
  const rows: SweepRow[] = [];
  try {
    for (const size of options.sizes) {
      rows.push(
        await benchOneSize({ size, settings: options.settings, baselineMax: options.baselineMax, sandbox, database, keys, cipher, log }),
      );
    }
  } finally {
    await sandbox.close();
    await database.close();
  }
  return rows;
}

export async function benchOneSize(input: {
  size: number;
  settings: SweepSettings;
  baselineMax: number;
  sandbox: SandboxProcess;
  database: Awaited<ReturnType<typeof openBenchDatabase>>;
  keys: string;
  cipher: ReturnType<typeof createTokenCipher>;
  log: (line: string) => void;
}): Promise<SweepRow> {
  const { size, settings, sandbox, database, keys, cipher, log } = input;
  const db = database.handle.db;
  // The database is the benchmark's own (or was checked empty): start each size from nothing.
  await db.execute(sql`delete from account_events`);
  await db.execute(sql`delete from social_accounts`);
  await db.execute(sql`vacuum analyze social_accounts`);

  const seedStarted = performance.now();
  const now = new Date();
  await seedConnectedAccounts({
    db,
    cipher,
    sandbox: { issueTokens: (requests) => sandbox.issueTokens(requests) },
    count: size,
    now,
    dueAt: new Date(now.getTime() - 60_000),
    openIdPrefix: `bench-${size}-${randomBytes(3).toString("hex")}`,
    chunkSize: 5000,
  });
  await db.execute(sql`analyze social_accounts`);
  const seedSec = (performance.now() - seedStarted) / 1000;
  log(`  ${fmt(size)} accounts seeded in ${fmt(seedSec, 1)} s (${fmt(size / seedSec)} rows/s)`);

  const baselineCount = Math.min(size, input.baselineMax);
  const baselinePerSec = await sandboxBaseline(sandbox, baselineCount, settings.concurrency);
  log(`  sandbox token endpoint alone: ${fmt(baselinePerSec)} refreshes/s (${fmt(baselineCount)} grants, concurrency ${settings.concurrency})`);

  const countersBefore = await sandbox.counters();
  const sandboxCpuBefore = await sandbox.call({ type: "usage" });
  const cpuBefore = cpuTimes();
  const summary = await runSweeperProcess({
    DATABASE_URL: database.url,
    TIKTOK_API_BASE_URL: sandbox.url,
    TOKEN_ENCRYPTION_KEYS: keys,
    SWEEP_BATCH_SIZE: String(settings.batchSize),
    SWEEP_CONCURRENCY: String(settings.concurrency),
    SWEEP_POOL_MAX: String(settings.poolMax),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
  });
  const cpuAfter = cpuTimes();
  const sandboxCpuAfter = await sandbox.call({ type: "usage" });
  const countersAfter = await sandbox.counters();

  // Exactly once: TikTok's counter, SocialFlow's events, and a sample of stored tokens agree.
  const tokenCalls = countersAfter.tokenByGrant.refresh_token - countersBefore.tokenByGrant.refresh_token;
  const events = await scalar(database.handle, sql`select count(*)::int as n from account_events where kind = 'refreshed'`);
  const distinct = await scalar(database.handle, sql`select count(distinct account_id)::int as n from account_events where kind = 'refreshed'`);
  const sample = await db
    .select({ id: socialAccounts.id, refreshToken: socialAccounts.refreshToken })
    .from(socialAccounts)
    .orderBy(sql`random()`)
    .limit(2000);
  const states = await sandbox.call({
    type: "tokenStates",
    refreshTokens: sample.map((r) => cipher.decrypt(r.refreshToken!, tokenAad(r.id, "refresh_token"))),
  });
  const problems: string[] = [];
  if (summary.claimed !== size) problems.push(`claimed ${summary.claimed}`);
  if (tokenCalls !== size) problems.push(`${tokenCalls} token calls`);
  if (events !== size || distinct !== size) problems.push(`${events} refreshed events for ${distinct} accounts`);
  if ((states.valid ?? 0) !== sample.length) problems.push(`token states ${JSON.stringify(states)}`);
  const verified = problems.length === 0 ? `ok (exactly once; ${sample.length} stored tokens valid)` : `FAILED: ${problems.join(", ")}`;

  const refreshesPerSec = (summary.claimed / summary.sweepMs) * 1000;
  return {
    size,
    settings,
    seedSec,
    refreshesPerSec,
    baselinePerSec,
    ratio: refreshesPerSec / baselinePerSec,
    statementsPerRefresh: summary.statements / Math.max(1, summary.claimed),
    sweeperPeakRssMb: summary.peakRssMb,
    sweeperStartRssMb: summary.startRssMb,
    sweeperPeakHeapMb: summary.peakHeapMb,
    machineCpuBusy: summary.machineBusyPct ?? cpuBusyPercent(cpuBefore, cpuAfter),
    sweeperCpuSec: (summary.cpuMs ?? NaN) / 1000,
    sandboxCpuSec: (sandboxCpuAfter.cpuUserMs + sandboxCpuAfter.cpuSystemMs - sandboxCpuBefore.cpuUserMs - sandboxCpuBefore.cpuSystemMs) / 1000,
    pgCpuSec: (summary.pgBackendCpuMs ?? NaN) / 1000,
    sweepSec: summary.sweepMs / 1000,
    verified,
  };
}
