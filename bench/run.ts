/**
 * `npm run bench` (issue #5 §7). Not part of the test suite. Needs a PostgreSQL whose user may
 * CREATE DATABASE (default postgres://postgres@127.0.0.1:5432/test).
 *
 *   npm run bench                                  # 1k, 10k, 100k accounts + connect flows
 *   BENCH_SIZES=1000,10000 npm run bench           # shorter
 *   BENCH_ONLY=refresh | connect | poll | parts | analytics  # one part only (poll: upload status and accounts page;
 *                                                    # parts: CPU of what every request repeats, bench/request-parts.ts;
 *                                                    # analytics: bench/analytics.ts, BENCH_ANALYTICS_SIZES)
 *   BENCH_ONLY=upload (or BENCH_UPLOAD=1 to add it) # 1 GiB upload through `next start` (needs `npx next build`; bench/upload-1gb.ts)
 *   BENCH_ONLY=load (or BENCH_LOAD=1 to add it)     # load test of one `next start` on PostgreSQL (needs a build; `npm run bench:load` builds first)
 *   BENCH_LOAD_USERS=200 BENCH_LOAD_CONCURRENCY=16 BENCH_LOAD_REFRESHES=3
 *   BENCH_BATCH_SIZE=500 BENCH_CONCURRENCY=32      # sweeper settings (defaults: the tuned ones below)
 *   BENCH_TUNE=1                                   # first try a grid of settings on BENCH_TUNE_SIZE accounts
 *   BENCH_DATABASE_URL=postgres://…/empty_db       # use this (empty) database instead of making one
 *   BENCH_ADMIN_URL=postgres://…                   # where to make the throwaway databases
 *   BENCH_CONNECT_FLOWS=300 BENCH_CONNECT_CONCURRENCY=3
 *   BENCH_CONNECT_PHASE=socialflow | sandbox-only | minimal | required   # measure one connect flow only, to profile it:
 *     BENCH_ONLY=connect BENCH_CONNECT_PHASE=socialflow node --cpu-prof --import tsx bench/run.ts
 *     then `npx tsx bench/profile-summary.ts <profile> <seconds> <flows>` (per flow, by owner)
 *
 * Every figure is printed beside a baseline measured in the same run, as a ratio.
 */
process.env.LOG_LEVEL ??= "silent";
process.env.NEXT_TELEMETRY_DISABLED = "1";

import os from "node:os";
import { benchConnectFlows, CONNECT_PHASES, phaseFigures, type ConnectPhase, type ConnectResult } from "./connect-flow";
import { benchRefreshSweep, type SweepRow, type SweepSettings } from "./refresh-sweep";
import { benchUpload, printUploadResult } from "./upload-1gb";
import { benchLoad, loadPassed, printLoadResult } from "./load-instance";
import { adminUrl, fmt, loadAverage } from "./lib";
import { PortInUseError } from "../scripts/dev-ports";
import { benchAnalytics, printAnalytics } from "./analytics";
import { benchPollAndPage, type PollPageResult } from "./poll-page";
import type { PartRow } from "./request-parts";
import { connectGoals, loadGoals, printGoals, sweepGoals, type GoalRow } from "./goals";
import { ceilingPerSec, perRefreshMs, SWEEP_GOAL_RATIO, sweepFloor } from "./sweep-ceiling";

const log = (line: string) => console.log(line);

function intList(raw: string | undefined, fallback: number[]): number[] {
  if (!raw) return fallback;
  const values = raw.split(",").map((s) => Number(s.trim()));
  if (values.some((v) => !Number.isInteger(v) || v <= 0)) throw new Error(`expected a comma list of positive integers, got ${raw}`);
  return values;
}

function intEnv(name: string, fallback: number): number {
  return intList(process.env[name], [fallback])[0]!;
}

/** Chosen with BENCH_TUNE=1 on the 2-core machine (docs/performance.md). */
const TUNED: SweepSettings = { batchSize: 200, concurrency: 32, poolMax: 16 };

function settingsFromEnv(): SweepSettings {
  return {
    batchSize: intEnv("BENCH_BATCH_SIZE", TUNED.batchSize),
    concurrency: intEnv("BENCH_CONCURRENCY", TUNED.concurrency),
    poolMax: intEnv("BENCH_POOL_MAX", TUNED.poolMax),
  };
}

function cpuPerRefresh(r: SweepRow): string {
  return [r.sweeperCpuSec, r.sandboxCpuSec, r.pgCpuSec].map((s) => (Number.isFinite(s) ? fmt(perRefreshMs(s, r), 2) : "n/a")).join(" | ");
}

/** Under the table: what the machine allows at the client floor (bench/sweep-ceiling.ts), per size. */
function printSweepFloor(rows: SweepRow[]): void {
  for (const r of rows) {
    const floor = sweepFloor(r);
    if (!floor) continue;
    const ms = (v: number) => `${fmt(v, 2)} ms`;
    const pg = Number.isFinite(r.pgCpuSec) ? ms(floor.pgMs) : "n/a (counted 0)";
    const need = floor.sweeperMsForGoal > 0 ? `≤ ${ms(floor.sweeperMsForGoal)} of sweeper CPU per refresh` : "more than two cores: the sandbox and PostgreSQL alone use them up at that rate";
    log(`  ${fmt(r.size)}: the raw baseline's own client spent ${ms(floor.clientMs)} of CPU per token call (the sandbox ${ms(r.baselineSandboxCpuMs)}): the client floor.`);
    log(
      `    At that floor, plus sandbox ${ms(floor.sandboxMs)} + PostgreSQL ${pg} (claim + durable pair write) per refresh, 2 cores allow ` +
        `${fmt(floor.ceilingPerSec)}/s: best ratio ${fmt(floor.bestRatio, 2)}. ${SWEEP_GOAL_RATIO} would need ${need} (now ${ms(perRefreshMs(r.sweeperCpuSec, r))}).`,
    );
  }
}

function printSweepRows(title: string, rows: SweepRow[]): void {
  log("");
  log(title);
  log(
    [
      "accounts".padStart(9),
      "batch/conc".padStart(10),
      "refresh/s".padStart(10),
      "sandbox/s".padStart(10),
      "ratio".padStart(6),
      "stmts/refresh".padStart(13),
      "peak RSS".padStart(9),
      "peak heap".padStart(9),
      "sweep s".padStart(8),
      "CPU ms/refresh sweeper|sandbox|pg".padStart(34),
      "2-core ceiling".padStart(14),
      "machine busy".padStart(12),
      "  check",
    ].join(" "),
  );
  for (const r of rows) {
    log(
      [
        fmt(r.size).padStart(9),
        `${r.settings.batchSize}/${r.settings.concurrency}`.padStart(10),
        fmt(r.refreshesPerSec).padStart(10),
        fmt(r.baselinePerSec).padStart(10),
        fmt(r.ratio, 2).padStart(6),
        fmt(r.statementsPerRefresh, 2).padStart(13),
        `${fmt(r.sweeperPeakRssMb)} MB`.padStart(9),
        `${fmt(r.sweeperPeakHeapMb)} MB`.padStart(9),
        fmt(r.sweepSec, 1).padStart(8),
        cpuPerRefresh(r).padStart(34),
        fmt(ceilingPerSec(r)).padStart(14),
        `${fmt(r.machineCpuBusy)} %`.padStart(12),
        `  ${r.verified}`,
      ].join(" "),
    );
  }
}

function connectPhaseEnv(): ConnectPhase | undefined {
  const raw = process.env.BENCH_CONNECT_PHASE;
  if (raw === undefined || raw === "") return undefined;
  const phase = CONNECT_PHASES.find((name) => name === raw);
  if (!phase) throw new Error(`BENCH_CONNECT_PHASE must be one of ${CONNECT_PHASES.join(", ")}`);
  return phase;
}

function printConnect(r: ConnectResult): void {
  const ms = (v: number) => `${fmt(v, 1)} ms`;
  log("");
  log(`Connect flows through the real routes (${r.flows} flows, concurrency ${r.concurrency}, ${r.database}):`);
  log(`  flows/s                 ${fmt(r.flowsPerSec, 1).padStart(8)}   sandbox-only flow ${fmt(r.baselineFlowsPerSec, 1)}/s   ratio ${fmt(r.flowsPerSec / r.baselineFlowsPerSec, 2)}`);
  log(
    `  minimal flow            ${fmt(r.floorFlowsPerSec, 1).padStart(8)}   ratio ${fmt(r.floorFlowsPerSec / r.baselineFlowsPerSec, 2)}   ` +
      `CPU ${ms(r.cpuMsPerFlow.minimalFlow)} per flow   (sandbox-only flow + 3 statements, no SocialFlow: bench/connect-floor.ts)`,
  );
  log(
    `  required flow           ${fmt(r.requiredFlowsPerSec, 1).padStart(8)}   ratio ${fmt(r.requiredFlowsPerSec / r.baselineFlowsPerSec, 2)}   ` +
      `CPU ${ms(r.cpuMsPerFlow.requiredFlow)} per flow   (minimal flow + routes, session, binding, encryption, validation; no SocialFlow: bench/connect-required.ts)`,
  );
  log(`  callback total     p50 ${ms(r.callbackTotal.p50).padStart(9)}   p99 ${ms(r.callbackTotal.p99).padStart(9)}`);
  log(`  of which TikTok    p50 ${ms(r.callbackTikTok.p50).padStart(9)}   p99 ${ms(r.callbackTikTok.p99).padStart(9)}   (token exchange + user info, the baseline)`);
  log(
    `  callback own time  p50 ${ms(r.callbackOwn.p50).padStart(9)}   p99 ${ms(r.callbackOwn.p99).padStart(9)}   ratio own/TikTok p50 ${fmt(r.callbackOwn.p50 / r.callbackTikTok.p50, 2)}, p99 ${fmt(r.callbackOwn.p99 / r.callbackTikTok.p99, 2)}`,
  );
  const least = r.floorCallback;
  log(
    `  minimal flow's callback, own time p50 ${ms(least.own.p50)}   p99 ${ms(least.own.p99)}   ratio own/TikTok p99 ${fmt(least.own.p99 / least.tiktok.p99, 2)}   (consume + account upsert, no SocialFlow)`,
  );
  const required = r.requiredCallback;
  log(
    `  required flow's callback, own time p50 ${ms(required.own.p50)}   p99 ${ms(required.own.p99)}   ratio own/TikTok p99 ${fmt(required.own.p99 / required.tiktok.p99, 2)}   (the minimal one + its checks and encryption)`,
  );
  const q = r.perRequest;
  log(`  round trips per request: authorize ${fmt(q.authorizeStatements, 1)} SQL; callback ${fmt(q.callbackStatements, 1)} SQL + ${fmt(q.callbackProviderCalls, 1)} TikTok`);
  const cpu = r.cpuMsPerFlow;
  log(`  CPU per flow (this process) ${ms(cpu.socialflow)}   browser alone in the sandbox-only flow ${ms(cpu.sandboxOnlyClient)}   SocialFlow's own ${ms(cpu.socialflow - cpu.sandboxOnlyClient)}`);
  // Routes and the bench's browser share this one event loop: near 100 % of a core, every wait
  // above (SQL answers included) is also a wait for the other flows' CPU.
  log(`  this process was busy ${fmt((cpu.socialflow * r.flowsPerSec) / 10)} % of one core during the flows`);
  log(`  of the own time, waiting on SQL p50 ${ms(q.callbackSqlMs.p50).padStart(9)}   p99 ${ms(q.callbackSqlMs.p99).padStart(9)}   (not counting a statement while a TikTok call is in flight)`);
  for (const s of r.callbackStatements) log(`    ${s.label.padEnd(46)} ${fmt(s.count)}×   wall p50 ${ms(s.p50)}`);
  const floor = r.databaseFloor;
  log(`  the database alone, same pool: select 1 p50 ${ms(floor.selectOne.p50)}; a one-row INSERT and its commit p50 ${ms(floor.insertCommit.p50)} (the baseline)`);
}

function printPollPage(r: PollPageResult): void {
  const ms = (v: number) => `${fmt(v, 1)} ms`;
  log("");
  log(`Polled and opened most (${r.requests} requests each, concurrency ${r.concurrency}, ${r.accountsPerUser} accounts per user):`);
  log(`  upload status poll      p50 ${ms(r.status.p50).padStart(9)}   p99 ${ms(r.status.p99).padStart(9)}   ${fmt(r.status.statements, 1)} SQL per request`);
  log(`  accounts page (server)  p50 ${ms(r.page.p50).padStart(9)}   p99 ${ms(r.page.p99).padStart(9)}   ${fmt(r.page.statements, 1)} SQL per request`);
  log(`  one SQL round trip      p50 ${ms(r.roundTrip.p50).padStart(9)}   p99 ${ms(r.roundTrip.p99).padStart(9)}   (the baseline)`);
}

function printParts(rows: PartRow[]): void {
  log(`\nWhat every request repeats, this process's CPU per call (bench/request-parts.ts):`);
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    log(`  ${r.name.padEnd(width)}  ${fmt(r.nowUs, 1).padStart(7)} µs   ${r.baselineName} ${fmt(r.baselineUs, 1)} µs   ratio ${fmt(r.nowUs / r.baselineUs, 2)}`);
  }
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY;
  const sizes = intList(process.env.BENCH_SIZES, [1000, 10_000, 100_000]);
  const cpus = os.cpus();
  log(`SocialFlow benchmark — ${new Date().toISOString()}`);
  log(`machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? "cpu"}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}, load average ${loadAverage()}`);
  log(`database server: ${adminUrl().replace(/\/\/[^@]*@/, "//…@")}`);
  const started = performance.now();
  const goals: GoalRow[] = [];

  if (only !== "connect" && only !== "upload" && only !== "load" && only !== "poll" && only !== "parts" && only !== "analytics") {
    let settings = settingsFromEnv();
    if (process.env.BENCH_TUNE === "1") {
      const tuneSize = intEnv("BENCH_TUNE_SIZE", 5000);
      const grid: SweepSettings[] = [
        { batchSize: 100, concurrency: 16, poolMax: 10 },
        { batchSize: 200, concurrency: 32, poolMax: 16 },
        { batchSize: 500, concurrency: 32, poolMax: 16 },
        { batchSize: 500, concurrency: 64, poolMax: 16 },
        { batchSize: 1000, concurrency: 64, poolMax: 20 },
        { batchSize: 1000, concurrency: 128, poolMax: 20 },
      ];
      log(`\nTuning on ${fmt(tuneSize)} accounts…`);
      const tried: SweepRow[] = [];
      for (const candidate of grid) {
        const [row] = await benchRefreshSweep({ sizes: [tuneSize], settings: candidate, baselineMax: tuneSize, log: () => {} });
        tried.push(row!);
        log(`  batch ${candidate.batchSize}, concurrency ${candidate.concurrency}: ${fmt(row!.refreshesPerSec)} refreshes/s (ratio ${fmt(row!.ratio, 2)})`);
      }
      printSweepRows("Tuning grid:", tried);
      if (!process.env.BENCH_BATCH_SIZE && !process.env.BENCH_CONCURRENCY) {
        settings = tried.reduce((best, r) => (r.refreshesPerSec > best.refreshesPerSec ? r : best)).settings;
        log(`  → using batch ${settings.batchSize}, concurrency ${settings.concurrency}`);
      }
    }
    log(`\nRefresh sweep (batch ${settings.batchSize}, concurrency ${settings.concurrency}, pool ${settings.poolMax}; 4 in 5 accounts TikTok, 1 in 5 YouTube), sandboxes in their own process:`);
    const rows = await benchRefreshSweep({ sizes, settings, baselineMax: intEnv("BENCH_BASELINE_MAX", 20_000), log });
    goals.push(...sweepGoals(rows));
    printSweepRows("Refresh sweep results (ratio = SocialFlow refreshes/s ÷ the sandboxes' raw token endpoints, same mix, same concurrency):", rows);
    printSweepFloor(rows);
    if (rows.some((r) => r.verified.startsWith("FAILED"))) process.exitCode = 1;
  }

  if (only !== "refresh" && only !== "upload" && only !== "load" && only !== "poll" && only !== "parts" && only !== "analytics") {
    const onlyPhase = connectPhaseEnv();
    const result = await benchConnectFlows({
      flows: intEnv("BENCH_CONNECT_FLOWS", 300),
      concurrency: intEnv("BENCH_CONNECT_CONCURRENCY", 3),
      warmup: 15,
      onlyPhase,
    });
    if (onlyPhase) {
      log(`\nConnect bench, one flow only (BENCH_CONNECT_PHASE=${onlyPhase}: for a CPU profile; no ratios, no goals):`);
      const figures = phaseFigures(result, onlyPhase);
      log(`  ${result.flows} flows at concurrency ${result.concurrency}: ${fmt(figures.flowsPerSec)} flows/s, CPU of this process ${figures.cpuMsPerFlow.toFixed(2)} ms per flow`);
    } else {
      printConnect(result);
      goals.push(...connectGoals(result));
    }
  }

  if (only === undefined || only === "poll") {
    const result = await benchPollAndPage({ requests: intEnv("BENCH_POLL_REQUESTS", 600), concurrency: intEnv("BENCH_CONNECT_CONCURRENCY", 3), accountsPerUser: 10 });
    printPollPage(result);
  }

  if (only === undefined || only === "parts") {
    // Loaded only when run: it brings the app's auth and session modules into this process.
    const { benchRequestParts } = await import("./request-parts");
    printParts(await benchRequestParts({ calls: intEnv("BENCH_PARTS_CALLS", 4000) }));
  }

  if (only === undefined || only === "analytics") {
    const settings = { concurrency: intEnv("BENCH_ANALYTICS_CONCURRENCY", 16), batchSize: intEnv("BENCH_ANALYTICS_BATCH", 200) };
    log(`\nAnalytics (bench/analytics.ts):`);
    const analytics = await benchAnalytics({
      sizes: intList(process.env.BENCH_ANALYTICS_SIZES, [10_000, 100_000]),
      queryRuns: intEnv("BENCH_ANALYTICS_QUERY_RUNS", 500),
      baselineMax: intEnv("BENCH_BASELINE_MAX", 20_000),
      log,
      ...settings,
    });
    printAnalytics(analytics, log, settings);
    if (analytics.sweeps.some((r) => r.verified.startsWith("FAILED"))) process.exitCode = 1;
  }

  if (only === "upload" || process.env.BENCH_UPLOAD === "1") {
    const upload = await benchUpload({ megabytes: intEnv("BENCH_UPLOAD_MB", 1024), port: intEnv("BENCH_UPLOAD_PORT", 3310), rounds: intEnv("BENCH_UPLOAD_ROUNDS", 3) });
    printUploadResult(upload);
    if (upload.aboveIdleMb >= 150) process.exitCode = 1;
  }
  if (only === "load" || process.env.BENCH_LOAD === "1") {
    const load = await benchLoad({
      users: intEnv("BENCH_LOAD_USERS", 200),
      concurrency: intEnv("BENCH_LOAD_CONCURRENCY", 16),
      refreshesPerAccount: intEnv("BENCH_LOAD_REFRESHES", 3),
      port: intEnv("BENCH_LOAD_PORT", 3320),
    });
    printLoadResult(load, log);
    goals.push(...loadGoals(load));
    if (!loadPassed(load)) process.exitCode = 1;
  }
  printGoals(goals, log);
  log(`\nbench finished in ${fmt((performance.now() - started) / 1000, 1)} s; load average now ${loadAverage()}`);
}

main()
  .then(() => process.exit(process.exitCode ?? 0))
  .catch((error: unknown) => {
    // A taken port is the user's to fix: its one line says how, a stack would bury it.
    const detail = error instanceof PortInUseError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(`bench failed: ${detail}`);
    process.exit(1);
  });
