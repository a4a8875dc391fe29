/**
 * Benchmark (issue #13): the analytics snapshot sweep and the account analytics query, on the
 * real PostgreSQL, against the TikTok sandbox in its own process.
 *
 * (a) For each size: seed N TikTok accounts (user.info.stats + video.list, due now), measure the
 *     sandbox's raw throughput for the same two calls a snapshot makes (user info stats + one
 *     video-list page of 20, the same kind of keep-alive client as SocialFlow's, same concurrency), then run the SnapshotSweeper until
 *     nothing is due, and check that every account has exactly one snapshot.
 * (b) One account with a year of 6-hourly snapshots (20 videos each) among the sweep's rows:
 *     getAccountAnalytics for 7/30/90 days and getDashboardSummaries, p50/p99 over many runs.
 *
 *   BENCH_ANALYTICS_SIZES=10000,100000   sizes of (a) (default; 100k takes minutes on 2 cores)
 *   BENCH_ANALYTICS_CONCURRENCY=16 BENCH_ANALYTICS_BATCH=200
 *   BENCH_ANALYTICS_QUERY_RUNS=500 BENCH_ANALYTICS_EXPLAIN=1 (print the 90-day statement's plan)
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { createTokenCipher, parseKeyring } from "@/lib/crypto";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { UserBudget } from "@/lib/connections/user-budget";
import { TikTokApiClient } from "@/lib/providers/tiktok/api-client";
import { TikTokStatsSource } from "@/lib/providers/tiktok/stats-source";
import { TokenEndpointLimits } from "@/lib/providers/tiktok/token-limits";
import { USER_STATS_FIELDS, VIDEO_FIELDS } from "@/lib/providers/tiktok/api-schemas";
import { SnapshotSweeper } from "@/lib/analytics/snapshot-sweeper";
import { analyticsStatement, getAccountAnalytics, getDashboardSummaries } from "@/lib/analytics/query-service";
import { ANALYTICS_RANGES } from "@/lib/analytics/types";
import { seedConnectedAccounts } from "../tests/helpers/seed-accounts";
import { baselineRequest, fmt, openBenchDatabase, percentile, runConcurrently, scalar, startSandboxProcess, type SandboxProcess } from "./lib";

const SCOPES = ["user.info.basic", "user.info.stats", "video.list"];
const SNAPSHOT_VIDEOS = 20;

export interface AnalyticsSweepRow {
  size: number;
  seedSec: number;
  snapshotsPerSec: number;
  baselinePerSec: number;
  ratio: number;
  sweepSec: number;
  videoRows: number;
  verified: string;
}

export interface QueryTiming {
  name: string;
  p50: number;
  p99: number;
}

/** The sandbox alone: the two calls of a snapshot, `count` times from `concurrency` loops. */
async function sandboxBaseline(sandbox: SandboxProcess, count: number, concurrency: number): Promise<number> {
  const tag = randomBytes(3).toString("hex");
  const tokens: string[] = [];
  for (let start = 0; start < count; start += 5000) {
    const requests = Array.from({ length: Math.min(5000, count - start) }, (_, i) => ({ openId: `abase-${tag}-${start + i}`, scopes: SCOPES }));
    for (const t of await sandbox.issueTokens(requests)) tokens.push(t.access_token);
  }
  let failures = 0;
  const ms = await runConcurrently(count, concurrency, async (i) => {
    const headers = { Authorization: `Bearer ${tokens[i]}` };
    const info = await baselineRequest(`${sandbox.url}/v2/user/info/?fields=${USER_STATS_FIELDS}`, { headers });
    const list = await baselineRequest(`${sandbox.url}/v2/video/list/?fields=${VIDEO_FIELDS}`, {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/json; charset=UTF-8" },
      body: JSON.stringify({ max_count: SNAPSHOT_VIDEOS }),
    });
    if (info.status !== 200 || list.status !== 200) failures++;
  });
  if (failures > 0) throw new Error(`sandbox baseline: ${failures} snapshots failed`);
  return (count / ms) * 1000;
}

export async function benchAnalytics(options: {
  sizes: number[];
  concurrency: number;
  batchSize: number;
  queryRuns: number;
  baselineMax: number;
  log: (line: string) => void;
}): Promise<{ sweeps: AnalyticsSweepRow[]; queries: QueryTiming[] }> {
  const { log } = options;
  const sandbox = await startSandboxProcess();
  const database = await openBenchDatabase();
  const db = database.handle.db;
  const cipher = createTokenCipher(parseKeyring(`k1:${randomBytes(32).toString("base64")}`));
  // Fresh tokens only (seeded now): a snapshot never needs a refresh here.
  const refresher = { refresh: () => Promise.reject(new Error("the analytics bench never refreshes")) };
  // SocialFlow's per-user budget is per person; the bench seeds every account under one user.
  const budget = new UserBudget({ perMinute: 1e9, perDay: 1e9 });
  const sweeps: AnalyticsSweepRow[] = [];
  let queries: QueryTiming[] = [];
  try {
    for (const size of options.sizes) {
      await db.execute(sql`delete from social_accounts`);
      await db.execute(sql`vacuum analyze social_accounts`);
      const seedStarted = performance.now();
      const now = new Date();
      const { accounts } = await seedConnectedAccounts({
        db,
        cipher,
        sandbox: { issueTokens: (requests) => sandbox.issueTokens(requests) },
        count: size,
        now,
        scopes: SCOPES,
        openIdPrefix: `an-${size}-${randomBytes(3).toString("hex")}`,
      });
      await db.execute(sql`analyze social_accounts`);
      const seedSec = (performance.now() - seedStarted) / 1000;
      log(`  ${fmt(size)} accounts seeded in ${fmt(seedSec, 1)} s`);

      const baselinePerSec = await sandboxBaseline(sandbox, Math.min(size, options.baselineMax), options.concurrency);
      const api = new TikTokApiClient({ db, cipher, refresher, budget, tokenLimits: new TokenEndpointLimits(), apiBaseUrl: sandbox.url });
      const sweeper = new SnapshotSweeper({
        db,
        sources: new Map([["TIKTOK", new TikTokStatsSource(api, sandbox.url)]]),
        intervalMs: 6 * 3_600_000,
        retentionDays: 400,
        batchSize: options.batchSize,
        concurrency: options.concurrency,
      });
      const started = performance.now();
      let claimed = 0;
      const failures: Record<string, number> = {};
      for (;;) {
        const result = await sweeper.sweepOnce();
        claimed += result.claimed;
        for (const [k, v] of Object.entries(result.outcomes)) if (k !== "ok") failures[k] = (failures[k] ?? 0) + v;
        if (result.claimed === 0) break;
      }
      const sweepSec = (performance.now() - started) / 1000;
      const snapshotted = await scalar(database.handle, sql`select count(distinct account_id)::int as n from account_stat_snapshots`);
      const doubled = await scalar(database.handle, sql`select count(*)::int as n from (select account_id from account_stat_snapshots group by account_id having count(*) > 1) d`);
      const videoRows = await scalar(database.handle, sql`select count(*)::int as n from video_stat_snapshots`);
      const verified =
        snapshotted === size && doubled === 0 && Object.keys(failures).length === 0
          ? `ok: ${fmt(size)} accounts, one snapshot each`
          : `FAILED: ${fmt(snapshotted)} of ${fmt(size)} snapshotted, ${doubled} twice, failures ${JSON.stringify(failures)}`;
      const snapshotsPerSec = claimed / sweepSec;
      sweeps.push({ size, seedSec, snapshotsPerSec, baselinePerSec, ratio: snapshotsPerSec / baselinePerSec, sweepSec, videoRows, verified });
      log(`  ${fmt(size)}: ${fmt(snapshotsPerSec)} snapshots/s vs sandbox ${fmt(baselinePerSec)}/s in ${fmt(sweepSec, 1)} s — ${verified}`);
      if (size === options.sizes.at(-1)) queries = await benchQueries(database, accounts[0]!.id, options.queryRuns, log);
    }
  } finally {
    await sandbox.close();
    await database.close();
  }
  return { sweeps, queries };
}

/**
 * A year of 6-hourly snapshots for one account (1,460 account rows, 29,200 video rows), written
 * in two set-based INSERTs, beside the sweep's rows; then the page's queries, timed.
 */
async function benchQueries(database: Awaited<ReturnType<typeof openBenchDatabase>>, accountId: string, runs: number, log: (line: string) => void): Promise<QueryTiming[]> {
  const db = database.handle.db;
  const [row] = (await db.execute(sql`select user_id from social_accounts where id = ${accountId}`) as unknown as { rows: { user_id: string }[] }).rows;
  const now = new Date();
  const yearAgo = new Date(now.getTime() - 365 * 86_400_000).toISOString();
  await db.execute(sql`delete from account_stat_snapshots where account_id = ${accountId}`);
  await db.execute(sql`delete from video_stat_snapshots where account_id = ${accountId}`);
  await db.execute(sql`
    insert into account_stat_snapshots (account_id, taken_at, followers, following, likes, videos, views)
    select ${accountId}, ${yearAgo}::timestamptz + n * interval '6 hours', 10000 + n * 7, 300, 50000 + n * 40, 25 + n / 28, null
    from generate_series(0, 1459) n`);
  await db.execute(sql`
    insert into analytics_videos (account_id, video_id, title, cover_url, share_url, published_at, first_seen_at, last_seen_at)
    select ${accountId}, 'bench-v' || v, 'Bench video ' || v, null, null, ${yearAgo}::timestamptz, ${yearAgo}::timestamptz, ${yearAgo}::timestamptz
    from generate_series(0, 72) v
    on conflict do nothing`);
  // The 20 newest videos at each snapshot: the list moves on by one video a ~week.
  await db.execute(sql`
    insert into video_stat_snapshots (account_id, taken_at, video_id, views, likes, comments, shares)
    select ${accountId}, ${yearAgo}::timestamptz + n * interval '6 hours', 'bench-v' || (n / 28 + k), 1000 + n * 13 + k, 100 + n, 10 + k, 5
    from generate_series(0, 1459) n, generate_series(0, 19) k
    on conflict do nothing`);
  // Each video's first and last sighting, as recordSnapshot keeps them.
  await db.execute(sql`
    update analytics_videos v set first_seen_at = t.first_seen, last_seen_at = t.last_seen
    from (select video_id, min(taken_at) as first_seen, max(taken_at) as last_seen
          from video_stat_snapshots where account_id = ${accountId} group by video_id) t
    where v.account_id = ${accountId} and v.video_id = t.video_id`);
  await db.execute(sql`delete from analytics_videos v where v.account_id = ${accountId}
    and not exists (select 1 from video_stat_snapshots s where s.account_id = ${accountId} and s.video_id = v.video_id)`);
  // The engagement totals each snapshot stores with its video rows (as recordSnapshot writes them).
  await db.execute(sql`
    update account_stat_snapshots a set recent_views = t.views, recent_likes = t.likes, recent_comments = t.comments, recent_shares = t.shares
    from (select taken_at, sum(views) as views, sum(likes) as likes, sum(comments) as comments, sum(shares) as shares
          from video_stat_snapshots where account_id = ${accountId} group by taken_at) t
    where a.account_id = ${accountId} and a.taken_at = t.taken_at`);
  await db.execute(sql`analyze account_stat_snapshots`);
  await db.execute(sql`analyze video_stat_snapshots`);
  await db.execute(sql`analyze analytics_videos`);
  const owned = (await accountsOf(db, row!.user_id).get(accountId))!;
  const timings: QueryTiming[] = [];
  const time = async (name: string, run: () => Promise<unknown>) => {
    for (let i = 0; i < 20; i++) await run();
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await run();
      samples.push(performance.now() - t);
    }
    samples.sort((a, b) => a - b);
    timings.push({ name, p50: percentile(samples, 50), p99: percentile(samples, 99) });
  };
  // The machine's bare round trip under the same load: what no query can beat.
  await time("select 1 (round-trip baseline)", () => db.execute(sql`select 1`));
  for (const range of ANALYTICS_RANGES) await time(`getAccountAnalytics ${range} d`, () => getAccountAnalytics(db, owned, range, now));
  await time("getDashboardSummaries (this account)", () => getDashboardSummaries(db, [owned], now));
  // Server-side execution of the 90-day statement (EXPLAIN ANALYZE), apart from the client and the machine's scheduling.
  const explained = (await db.execute(sql`explain (analyze, format json) ${analyticsStatement(owned, 90, now)}`)) as unknown as { rows: { "QUERY PLAN": [{ "Execution Time": number; "Planning Time": number }] }[] };
  const plan = explained.rows[0]!["QUERY PLAN"][0];
  log(`  90 d statement on the server: planning ${fmt(plan["Planning Time"], 2)} ms, execution ${fmt(plan["Execution Time"], 2)} ms (EXPLAIN ANALYZE)`);
  if (process.env.BENCH_ANALYTICS_EXPLAIN === "1") {
    // The 90-day statement's full plan (the widest range): where the time goes when the p99 misses its goal.
    const text = (await db.execute(sql`explain (analyze, buffers) ${analyticsStatement(owned, 90, now)}`)) as unknown as { rows: Record<string, string>[] };
    for (const line of text.rows) log(`    ${Object.values(line)[0]}`);
  }
  const check = await getAccountAnalytics(db, owned, 90, now);
  log(`  query check: 90 d → ${check.accountPoints.length} account points, ${check.engagementPoints.length} engagement points, ${check.topVideos.length} top videos`);
  return timings;
}

export function printAnalytics(result: { sweeps: AnalyticsSweepRow[]; queries: QueryTiming[] }, log: (line: string) => void, settings: { concurrency: number; batchSize: number }): void {
  log("");
  log(`Analytics snapshot sweep (batch ${settings.batchSize}, concurrency ${settings.concurrency}; ratio = snapshots/s ÷ the sandbox's raw user-info + video-list pairs/s, same concurrency):`);
  log(["accounts".padStart(9), "snapshots/s".padStart(12), "sandbox/s".padStart(10), "ratio".padStart(6), "sweep s".padStart(8), "video rows".padStart(11), "  check"].join(" "));
  for (const r of result.sweeps) {
    log([fmt(r.size).padStart(9), fmt(r.snapshotsPerSec).padStart(12), fmt(r.baselinePerSec).padStart(10), fmt(r.ratio, 2).padStart(6), fmt(r.sweepSec, 1).padStart(8), fmt(r.videoRows).padStart(11), `  ${r.verified}`].join(" "));
  }
  log("");
  log("Account analytics queries, one account with a year of 6-hourly snapshots (goal p99 ≤ 10 ms):");
  for (const q of result.queries) log(`  ${q.name.padEnd(38)} p50 ${fmt(q.p50, 2).padStart(7)} ms   p99 ${fmt(q.p99, 2).padStart(7)} ms`);
}
