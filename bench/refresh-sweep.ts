/**
 * Benchmark (a): the proactive refresh sweep on the real PostgreSQL against the TikTok and
 * Google sandboxes running in another process. For each size: seed N due accounts — four in
 * five TikTok accounts, one in five YouTube channels — measure the sandboxes' raw token
 * endpoints (a plain fetch loop of refresh_token grants in the same mix, same concurrency),
 * then run one sweeper process (tests/helpers/sweeper-process.ts) until nothing is due, and
 * check, per provider, that every account was refreshed exactly once (and that Google's refresh
 * tokens, which do not rotate, are the ones seeded).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { createTokenCipher, parseKeyring } from "@/lib/crypto";
import { socialAccounts } from "@/lib/db/schema";
import { tokenAad } from "@/lib/connections/account-store";
import { seedConnectedAccounts, seedConnectedYouTubeChannels } from "../tests/helpers/seed-accounts";
import {
  cpuBusyPercent,
  cpuTimes,
  fmt,
  googleSandboxRefresh,
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
  /** CPU this (bench) process spent per token call while running the raw baseline: the client floor. */
  baselineClientCpuMs: number;
  /** The sandbox process's CPU per token call during the raw baseline. */
  baselineSandboxCpuMs: number;
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
const YOUTUBE_SCOPES = ["https://www.googleapis.com/auth/youtube.readonly", "https://www.googleapis.com/auth/youtube.upload"];
/** One account in YOUTUBE_EVERY is a YouTube channel, the others TikTok accounts. */
const YOUTUBE_EVERY = 5;
const youtubeShare = (count: number) => Math.floor(count / YOUTUBE_EVERY);

/**
 * The sandboxes' own token endpoints, no SocialFlow: `count` refresh_token grants in the
 * accounts' mix (every YOUTUBE_EVERY-th at Google, the rest at TikTok) from `concurrency` loops.
 */
async function sandboxBaseline(
  sandbox: SandboxProcess,
  count: number,
  concurrency: number,
): Promise<{ perSec: number; clientCpuMs: number; sandboxCpuMs: number }> {
  const tag = randomBytes(3).toString("hex");
  const googleCount = youtubeShare(count);
  const grants: (() => Promise<boolean>)[] = [];
  for (let start = 0; start < count - googleCount; start += 5000) {
    const requests = Array.from({ length: Math.min(5000, count - googleCount - start) }, (_, i) => ({ openId: `base-${tag}-${start + i}`, scopes: SCOPES }));
    for (const t of await sandbox.issueTokens(requests)) grants.push(() => sandboxRefresh(sandbox.url, t.refresh_token));
  }
  const google: (() => Promise<boolean>)[] = [];
  for (let start = 0; start < googleCount; start += 5000) {
    const requests = Array.from({ length: Math.min(5000, googleCount - start) }, (_, i) => ({ accountId: `gbase-${tag}-${start + i}`, scopes: YOUTUBE_SCOPES }));
    for (const t of await sandbox.issueGoogleTokens(requests)) google.push(() => googleSandboxRefresh(sandbox.googleUrl, t.refresh_token!));
  }
  // Interleaved as the sweeper meets them (one Google grant every YOUTUBE_EVERY).
  for (let i = 0; i < google.length; i++) grants.splice(i * YOUTUBE_EVERY + YOUTUBE_EVERY - 1, 0, google[i]!);
  let failures = 0;
  // Only the grants are timed: this process then does nothing but be their HTTP client, so its
  // CPU per call is the least any refresher spends on its side of the exchange.
  const sandboxBefore = await sandbox.call({ type: "usage" });
  const cpuBefore = process.cpuUsage();
  const ms = await runConcurrently(count, concurrency, async (i) => {
    if (!(await grants[i]!())) failures++;
  });
  const cpu = process.cpuUsage(cpuBefore);
  const sandboxAfter = await sandbox.call({ type: "usage" });
  if (failures > 0) throw new Error(`sandbox baseline: ${failures} refreshes failed`);
  const sandboxMs = sandboxAfter.cpuUserMs + sandboxAfter.cpuSystemMs - sandboxBefore.cpuUserMs - sandboxBefore.cpuSystemMs;
  return { perSec: (count / ms) * 1000, clientCpuMs: (cpu.user + cpu.system) / 1000 / count, sandboxCpuMs: sandboxMs / count };
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
  const youtubeCount = youtubeShare(size);
  const tiktokCount = size - youtubeCount;
  const seedTag = `${size}-${randomBytes(3).toString("hex")}`;
  await seedConnectedAccounts({
    db,
    cipher,
    sandbox: { issueTokens: (requests) => sandbox.issueTokens(requests) },
    count: tiktokCount,
    now,
    dueAt: new Date(now.getTime() - 60_000),
    openIdPrefix: `bench-${seedTag}`,
    chunkSize: 5000,
  });
  const youtube = await seedConnectedYouTubeChannels({
    db,
    cipher,
    issueGoogleTokens: (requests) => sandbox.issueGoogleTokens(requests),
    count: youtubeCount,
    now,
    dueAt: new Date(now.getTime() - 60_000),
    accountPrefix: `gbench-${seedTag}`,
    chunkSize: 5000,
  });
  await db.execute(sql`analyze social_accounts`);
  const seedSec = (performance.now() - seedStarted) / 1000;
  log(`  ${fmt(size)} accounts seeded (${fmt(tiktokCount)} TikTok, ${fmt(youtubeCount)} YouTube) in ${fmt(seedSec, 1)} s (${fmt(size / seedSec)} rows/s)`);

  const baselineCount = Math.min(size, input.baselineMax);
  const baseline = await sandboxBaseline(sandbox, baselineCount, settings.concurrency);
  const baselinePerSec = baseline.perSec;
  log(
    `  sandbox token endpoints alone (same mix): ${fmt(baselinePerSec)} refreshes/s (${fmt(baselineCount)} grants, concurrency ${settings.concurrency}); ` +
      `CPU per call: this client ${fmt(baseline.clientCpuMs, 3)} ms, sandbox ${fmt(baseline.sandboxCpuMs, 3)} ms`,
  );

  const countersBefore = await sandbox.counters();
  const googleBefore = await sandbox.googleCounters();
  const sandboxCpuBefore = await sandbox.call({ type: "usage" });
  const cpuBefore = cpuTimes();
  const summary = await runSweeperProcess({
    DATABASE_URL: database.url,
    TIKTOK_API_BASE_URL: sandbox.url,
    GOOGLE_API_BASE_URL: sandbox.googleUrl,
    TOKEN_ENCRYPTION_KEYS: keys,
    SWEEP_BATCH_SIZE: String(settings.batchSize),
    SWEEP_CONCURRENCY: String(settings.concurrency),
    SWEEP_POOL_MAX: String(settings.poolMax),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
  });
  const cpuAfter = cpuTimes();
  const sandboxCpuAfter = await sandbox.call({ type: "usage" });
  const countersAfter = await sandbox.counters();
  const googleAfter = await sandbox.googleCounters();

  // Exactly once, per provider: its token counter, SocialFlow's events, and a sample of stored tokens agree.
  const tokenCalls = countersAfter.tokenByGrant.refresh_token - countersBefore.tokenByGrant.refresh_token;
  const googleCalls = (googleAfter.tokenByGrant.refresh_token ?? 0) - (googleBefore.tokenByGrant.refresh_token ?? 0);
  const eventsOf = (platform: "TIKTOK" | "YOUTUBE") =>
    scalar(
      database.handle,
      sql`select count(*)::int as n from account_events e join social_accounts a on a.id = e.account_id where e.kind = 'refreshed' and a.platform = ${platform}`,
    );
  const events = await scalar(database.handle, sql`select count(*)::int as n from account_events where kind = 'refreshed'`);
  const distinct = await scalar(database.handle, sql`select count(distinct account_id)::int as n from account_events where kind = 'refreshed'`);
  const tiktokEvents = await eventsOf("TIKTOK");
  const youtubeEvents = await eventsOf("YOUTUBE");
  const sampleOf = (platform: "TIKTOK" | "YOUTUBE", limit: number) =>
    db
      .select({ id: socialAccounts.id, refreshToken: socialAccounts.refreshToken })
      .from(socialAccounts)
      .where(sql`${socialAccounts.platform} = ${platform}`)
      .orderBy(sql`random()`)
      .limit(limit);
  const plain = (r: { id: string; refreshToken: string | null }) => cipher.decrypt(r.refreshToken!, tokenAad(r.id, "refresh_token"));
  const sample = await sampleOf("TIKTOK", 1600);
  const googleSample = await sampleOf("YOUTUBE", 400);
  const states = await sandbox.call({ type: "tokenStates", refreshTokens: sample.map(plain) });
  const googleStates = await sandbox.call({ type: "googleTokenStates", refreshTokens: googleSample.map(plain) });
  // Google's refresh tokens do not rotate: after its refresh, each channel keeps the seeded one.
  const seeded = new Map(youtube.accounts.map((a) => [a.id, a.refreshToken]));
  const googleChanged = googleSample.filter((r) => plain(r) !== seeded.get(r.id)).length;
  const problems: string[] = [];
  if (summary.claimed !== size) problems.push(`claimed ${summary.claimed}`);
  if (tokenCalls !== tiktokCount) problems.push(`${tokenCalls} TikTok token calls for ${tiktokCount} accounts`);
  if (googleCalls !== youtubeCount) problems.push(`${googleCalls} Google token calls for ${youtubeCount} channels`);
  if (events !== size || distinct !== size) problems.push(`${events} refreshed events for ${distinct} accounts`);
  if (tiktokEvents !== tiktokCount || youtubeEvents !== youtubeCount) problems.push(`refreshed events TikTok ${tiktokEvents}, YouTube ${youtubeEvents}`);
  if ((states.valid ?? 0) !== sample.length) problems.push(`TikTok token states ${JSON.stringify(states)}`);
  if ((googleStates.valid ?? 0) !== googleSample.length) problems.push(`Google token states ${JSON.stringify(googleStates)}`);
  if (googleChanged > 0) problems.push(`${googleChanged} Google refresh tokens changed`);
  const verified =
    problems.length === 0
      ? `ok (exactly once per provider; ${sample.length} TikTok and ${googleSample.length} Google stored tokens valid, Google's unchanged)`
      : `FAILED: ${problems.join(", ")}`;

  const refreshesPerSec = (summary.claimed / summary.sweepMs) * 1000;
  return {
    size,
    settings,
    seedSec,
    refreshesPerSec,
    baselinePerSec,
    ratio: refreshesPerSec / baselinePerSec,
    baselineClientCpuMs: baseline.clientCpuMs,
    baselineSandboxCpuMs: baseline.sandboxCpuMs,
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
