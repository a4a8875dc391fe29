/**
 * Issue #7 §6: a bounded load test of one `next start` instance on the real PostgreSQL, over
 * loopback only. Many users connect their own TikTok (sandbox) accounts at once, then refresh
 * them, then reconnect and refresh at the same time (a refresh racing its own account's
 * reconnect included). Every answer must be the expected one, and afterwards the database must
 * hold exactly one account per user, each ACTIVE with a refresh token TikTok still accepts, one
 * stored refresh per refresh TikTok granted (less, in the mixed phase, those a reconnect
 * superseded), and no revoke at all (nothing was disconnected). Throughput and p50/p99 latency per operation are printed beside the sandbox doing the
 * same TikTok work alone at the same concurrency.
 *
 *   npm run bench:load                                   # builds, then runs this
 *   BENCH_ONLY=load npm run bench                        # with an existing build
 *   BENCH_LOAD_USERS=200 BENCH_LOAD_CONCURRENCY=16 BENCH_LOAD_REFRESHES=3 BENCH_LOAD_PORT=3320
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { createTokenCipher, parseKeyring } from "@/lib/crypto";
import { tokenAad } from "@/lib/connections/account-store";
import { decideAtSandbox } from "../tests/helpers/app-harness";
import { Client, processCpuMs, serverPids, startApp } from "./app-server";
import { sandboxOnlyFlow } from "./connect-flow";
import { cpuBusyPercent, cpuTimes, fmt, openBenchDatabase, percentile, sandboxRefresh, scalar, startSandboxProcess } from "./lib";

export interface OpStats {
  name: string;
  count: number;
  errors: number;
  /** Up to five distinct error descriptions (status codes and fixed error codes only). */
  errorKinds: string[];
  perSec: number;
  p50: number;
  p99: number;
}

export interface LoadPhase {
  name: string;
  seconds: number;
  machineBusyPct: number;
  /** CPU the `next start` processes used in the phase, per request SocialFlow answered. */
  serverCpuMsPerRequest: number;
  ops: OpStats[];
  baseline?: OpStats[];
}

export interface LoadResult {
  users: number;
  concurrency: number;
  refreshesPerAccount: number;
  setupSec: number;
  phases: LoadPhase[];
  checks: { name: string; ok: boolean; detail: string }[];
}

interface VirtualUser {
  index: number;
  openId: string;
  email: string;
  client: Client;
  accountId?: string;
}

/** Latencies and failures of one kind of operation. */
class Recorder {
  readonly latencies: number[] = [];
  errors = 0;
  readonly errorKinds = new Set<string>();
  constructor(readonly name: string) {}

  async time<T>(task: () => Promise<T>): Promise<T | undefined> {
    const started = performance.now();
    try {
      const value = await task();
      this.latencies.push(performance.now() - started);
      return value;
    } catch (error) {
      this.errors++;
      if (this.errorKinds.size < 5) this.errorKinds.add(error instanceof Error ? error.message : String(error));
      return undefined;
    }
  }

  stats(seconds: number): OpStats {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const count = this.latencies.length + this.errors;
    return {
      name: this.name,
      count,
      errors: this.errors,
      errorKinds: [...this.errorKinds],
      perSec: count / seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    };
  }
}

/**
 * Runs tasks[i] from `concurrency` loops; returns elapsed seconds, the machine's busy share and
 * the CPU ms the server's processes (`pids`) used.
 */
async function runPhase(
  tasks: (() => Promise<unknown>)[],
  concurrency: number,
  pids: number[] = [],
): Promise<{ seconds: number; machineBusyPct: number; serverCpuMs: number }> {
  let next = 0;
  const cpuBefore = cpuTimes();
  const serverBefore = processCpuMs(pids);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, tasks.length) }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
  return {
    seconds: (performance.now() - started) / 1000,
    machineBusyPct: cpuBusyPercent(cpuBefore, cpuTimes()),
    serverCpuMs: processCpuMs(pids) - serverBefore,
  };
}

/** Deterministic shuffle (so runs are comparable): mixes reconnects and refreshes of all users. */
function shuffled<T>(items: T[], seed = 7): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) & 0x7fffffff;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export async function benchLoad(options: { users: number; concurrency: number; refreshesPerAccount: number; port: number }): Promise<LoadResult> {
  const { users: userCount, concurrency, refreshesPerAccount, port } = options;
  const origin = `http://localhost:${port}`;
  const redirectUri = `${origin}/api/oauth/tiktok/callback`;
  const keys = `k1:${randomBytes(32).toString("base64")}`;
  const cipher = createTokenCipher(parseKeyring(keys));
  const tag = randomBytes(3).toString("hex");

  const setupStarted = performance.now();
  const sandbox = await startSandboxProcess();
  const database = await openBenchDatabase();
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    const people: VirtualUser[] = Array.from({ length: userCount }, (_, index) => ({
      index,
      openId: `load-${tag}-${index}`,
      email: `load-${tag}-${index}@example.test`,
      // Each virtual user is its own client address, as real users are (Better Auth limits sign-ups per address).
      client: new Client(origin, { "x-forwarded-for": `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}` }),
    }));
    await sandbox.control("options", { redirectUris: [redirectUri] });
    await sandbox.control("users", { openIds: people.map((p) => p.openId) });

    app = await startApp({ port, sandboxUrl: sandbox.url, env: { DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEYS: keys } });

    const signUps = new Recorder("sign-up");
    await runPhase(
      people.map((person) => () =>
        signUps.time(async () => {
          const response = await person.client.fetch("/api/auth/sign-up/email", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name: `Load ${person.index}`, email: person.email, password: "load-Correct-Horse-9" }),
          });
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`sign-up → ${response.status}`);
        }),
      ),
      concurrency,
    );
    if (signUps.errors > 0) throw new Error(`set-up: ${signUps.errors} sign-ups failed (${[...signUps.errorKinds].join("; ")})`);
    const setupSec = (performance.now() - setupStarted) / 1000;

    /** authorize → the sandbox's consent page and decision → callback, as the browser does it. */
    const connect = async (person: VirtualUser, authorize: Recorder, callback: Recorder): Promise<void> => {
      const url = await authorize.time(async () => {
        const response = await person.client.fetch("/api/oauth/tiktok/authorize", { method: "POST" });
        const body = (await response.json()) as { url?: string; code?: string };
        if (response.status !== 200 || !body.url) throw new Error(`authorize → ${response.status} ${body.code ?? ""}`);
        return body.url;
      });
      if (!url) return;
      const back = await decideAtSandbox(url, { openId: person.openId });
      await callback.time(async () => {
        const response = await person.client.fetch(back);
        await response.arrayBuffer();
        const location = new URL(response.headers.get("location") ?? "/", origin);
        const accountId = location.searchParams.get("account");
        if (response.status !== 303 || !accountId) throw new Error(`callback → ${response.status} ${location.searchParams.get("error") ?? ""}`);
        if (person.accountId && person.accountId !== accountId) throw new Error("reconnect made a second account");
        person.accountId = accountId;
      });
    };

    const refresh = (person: VirtualUser, recorder: Recorder) =>
      recorder.time(async () => {
        const response = await person.client.fetch("/api/oauth/tiktok/refresh", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ accountId: person.accountId }),
        });
        const body = (await response.json()) as { success?: boolean; code?: string };
        if (response.status !== 200 || body.success !== true) throw new Error(`refresh → ${response.status} ${body.code ?? ""}`);
      });

    const phases: LoadPhase[] = [];
    const pids = serverPids(app.pid);
    const refreshedEvents = () => scalar(database.handle, sql`select count(*)::int as n from account_events where kind = 'refreshed'`);
    const countersAtStart = await sandbox.counters();

    // 1. Everyone connects at once (concurrency-bounded).
    {
      const authorize = new Recorder("authorize");
      const callback = new Recorder("callback");
      const flows = new Recorder("connect flow");
      const run = await runPhase(
        people.map((person) => () => flows.time(() => connect(person, authorize, callback).then(() => {
          if (!person.accountId) throw new Error("no account");
        }))),
        concurrency,
        pids,
      );
      const baselineFlows = new Recorder("sandbox-only flow");
      // The same TikTok work without SocialFlow: consent, code exchange with PKCE, user info.
      const baselineRun = await runPhase(
        people.map((person) => () => baselineFlows.time(() => sandboxOnlyFlow(sandbox.url, person.openId, redirectUri))),
        concurrency,
      );
      phases.push({
        name: `connect: ${fmt(userCount)} users connect their accounts`,
        seconds: run.seconds,
        machineBusyPct: run.machineBusyPct,
        serverCpuMsPerRequest: run.serverCpuMs / (2 * people.length),
        ops: [flows.stats(run.seconds), authorize.stats(run.seconds), callback.stats(run.seconds)],
        baseline: [baselineFlows.stats(baselineRun.seconds)],
      });
    }

    const connected = people.filter((p) => p.accountId);
    const baselineTokens = await sandbox.issueTokens(
      Array.from({ length: connected.length * refreshesPerAccount }, (_, i) => ({ openId: `load-base-${tag}-${i}`, scopes: ["user.info.basic"] })),
    );
    const countersBeforeRefresh = await sandbox.counters();

    // 2. Refresh calls only: each account refreshed K times, K calls of one account may overlap.
    {
      const refreshes = new Recorder("refresh");
      const run = await runPhase(
        shuffled(connected.flatMap((person) => Array.from({ length: refreshesPerAccount }, () => () => refresh(person, refreshes)))),
        concurrency,
        pids,
      );
      const raw = new Recorder("sandbox refresh");
      const baselineRun = await runPhase(
        baselineTokens.map((t) => () => raw.time(async () => {
          if (!(await sandboxRefresh(sandbox.url, t.refresh_token))) throw new Error("sandbox refused");
        })),
        concurrency,
      );
      phases.push({
        name: `refresh: ${fmt(connected.length * refreshesPerAccount)} refresh calls, ${refreshesPerAccount} per account`,
        seconds: run.seconds,
        machineBusyPct: run.machineBusyPct,
        serverCpuMsPerRequest: run.serverCpuMs / (connected.length * refreshesPerAccount),
        ops: [refreshes.stats(run.seconds)],
        baseline: [raw.stats(baselineRun.seconds)],
      });
    }
    const countersBeforeMixed = await sandbox.counters();
    const refreshedBeforeMixed = await refreshedEvents();

    // 3. Mixed: every user reconnects while refreshes of all accounts (its own included) run.
    {
      const authorize = new Recorder("authorize");
      const callback = new Recorder("callback");
      const flows = new Recorder("reconnect flow");
      const refreshes = new Recorder("refresh");
      const tasks = shuffled([
        ...connected.map((person) => () => flows.time(() => connect(person, authorize, callback))),
        ...connected.flatMap((person) => Array.from({ length: refreshesPerAccount }, () => () => refresh(person, refreshes))),
      ]);
      const run = await runPhase(tasks, concurrency, pids);
      phases.push({
        name: `mixed: ${fmt(connected.length)} reconnects and ${fmt(connected.length * refreshesPerAccount)} refresh calls at once`,
        seconds: run.seconds,
        machineBusyPct: run.machineBusyPct,
        serverCpuMsPerRequest: run.serverCpuMs / (connected.length * (2 + refreshesPerAccount)),
        ops: [flows.stats(run.seconds), refreshes.stats(run.seconds), authorize.stats(run.seconds), callback.stats(run.seconds)],
      });
    }
    const countersAtEnd = await sandbox.counters();

    // --- what the database holds now --------------------------------------------------------
    const rows = (await database.handle.db.execute(sql`
      select a.id, a.platform_user_id as "openId", a.status, a.refresh_failures as "failures",
             a.refresh_lease_id as "lease", a.refresh_token as "refreshToken", u.email
      from social_accounts a join "user" u on u.id = a.user_id
    `)) as unknown as { rows: { id: string; openId: string; status: string; failures: number; lease: string | null; refreshToken: string | null; email: string }[] };
    const events = (await database.handle.db.execute(sql`select kind, count(*)::int as n from account_events group by kind`)) as unknown as {
      rows: { kind: string; n: number }[];
    };
    const eventCount = (kind: string) => Number(events.rows.find((r) => r.kind === kind)?.n ?? 0);

    const expected = new Map(people.map((p) => [p.email, p.openId]));
    const byOpenId = new Map<string, number>();
    for (const row of rows.rows) byOpenId.set(row.openId, (byOpenId.get(row.openId) ?? 0) + 1);
    const misfiled = rows.rows.filter((r) => expected.get(r.email) !== r.openId).length;
    const duplicated = [...byOpenId.values()].filter((n) => n > 1).length;
    const lost = people.filter((p) => !byOpenId.has(p.openId)).length;
    const unhealthy = rows.rows.filter((r) => r.status !== "ACTIVE" || Number(r.failures) !== 0 || r.lease !== null).length;
    const states = await sandbox.call({
      type: "tokenStates",
      refreshTokens: rows.rows.map((r) => (r.refreshToken ? cipher.decrypt(r.refreshToken, tokenAad(r.id, "refresh_token")) : "")),
    });

    // Refreshes TikTok granted to SocialFlow (the baseline's raw refreshes taken out), per phase.
    const grantedInRefreshPhase = countersBeforeMixed.tokenByGrant.refresh_token - countersBeforeRefresh.tokenByGrant.refresh_token - baselineTokens.length;
    const grantedInMixedPhase = countersAtEnd.tokenByGrant.refresh_token - countersBeforeMixed.tokenByGrant.refresh_token;
    const refreshedInMixedPhase = eventCount("refreshed") - refreshedBeforeMixed;
    // In the mixed phase a refresh whose account was reconnected while TikTok answered is not
    // stored (the reconnect's newer grant wins) and not revoked (that would end the reconnect):
    // at most one such refresh per reconnect.
    const superseded = grantedInMixedPhase - refreshedInMixedPhase;
    const revokes = countersAtEnd.revoke - countersAtStart.revoke;
    const codeExchanges = countersAtEnd.tokenByGrant.authorization_code - countersAtStart.tokenByGrant.authorization_code - userCount;
    const checks = [
      { name: "accounts", ok: rows.rows.length === userCount && lost === 0 && duplicated === 0 && misfiled === 0, detail: `${rows.rows.length} accounts for ${userCount} users: ${lost} lost, ${duplicated} duplicated, ${misfiled} linked to the wrong user` },
      { name: "health", ok: unhealthy === 0, detail: `${unhealthy} not ACTIVE, with failures or with a lease left` },
      { name: "tokens", ok: (states.valid ?? 0) === rows.rows.length, detail: `stored refresh tokens at TikTok: ${JSON.stringify(states)}` },
      {
        name: "events",
        ok:
          eventCount("connected") === userCount &&
          eventCount("reconnected") === connected.length &&
          refreshedBeforeMixed === grantedInRefreshPhase &&
          superseded >= 0 &&
          superseded <= connected.length,
        detail:
          `connected ${eventCount("connected")}, reconnected ${eventCount("reconnected")}; refresh phase: ${refreshedBeforeMixed} refreshed = ${grantedInRefreshPhase} TikTok refreshes; ` +
          `mixed phase: ${refreshedInMixedPhase} refreshed of ${grantedInMixedPhase} TikTok refreshes (${superseded} superseded by a reconnect, at most one per reconnect)`,
      },
      {
        name: "TikTok calls",
        ok: codeExchanges === userCount + connected.length && revokes === 0,
        detail: `code exchanges ${codeExchanges} for ${userCount + connected.length} flows; revokes ${revokes} (nothing was disconnected, so nothing may be revoked)`,
      },
    ];
    return { users: userCount, concurrency, refreshesPerAccount, setupSec, phases, checks };
  } finally {
    await app?.stop();
    await sandbox.close();
    await database.close();
  }
}

export function printLoadResult(r: LoadResult, log: (line: string) => void): void {
  const ms = (v: number) => (Number.isFinite(v) ? `${fmt(v, 1)} ms` : "—");
  log("");
  log(`Load on one \`next start\` instance (real PostgreSQL, sandbox in its own process): ${fmt(r.users)} users, concurrency ${r.concurrency} (set-up ${fmt(r.setupSec, 1)} s)`);
  for (const phase of r.phases) {
    log(`  ${phase.name} — ${fmt(phase.seconds, 1)} s, machine ${fmt(phase.machineBusyPct)} % busy, server CPU ${fmt(phase.serverCpuMsPerRequest, 1)} ms per request`);
    log(`    ${"operation".padEnd(20)} ${"count".padStart(6)} ${"errors".padStart(6)} ${"per s".padStart(8)} ${"p50".padStart(10)} ${"p99".padStart(10)}`);
    const line = (s: OpStats, note = "") =>
      log(`    ${s.name.padEnd(20)} ${fmt(s.count).padStart(6)} ${fmt(s.errors).padStart(6)} ${fmt(s.perSec, 1).padStart(8)} ${ms(s.p50).padStart(10)} ${ms(s.p99).padStart(10)}${note}`);
    for (const s of phase.ops) line(s, s.errorKinds.length ? `   ${s.errorKinds.join("; ")}` : "");
    const main = phase.ops[0]!;
    for (const b of phase.baseline ?? []) {
      line(b, `   baseline: ratio ${fmt(main.perSec / b.perSec, 2)} (throughput), ${fmt(main.p99 / b.p99, 2)} (p99)`);
    }
  }
  const errors = r.phases.reduce((sum, p) => sum + p.ops.reduce((s, o) => s + o.errors, 0), 0);
  log(`  errors: ${errors}`);
  for (const c of r.checks) log(`  ${c.ok ? "ok    " : "FAILED"} ${c.name}: ${c.detail}`);
}

export function loadPassed(r: LoadResult): boolean {
  return r.checks.every((c) => c.ok) && r.phases.every((p) => p.ops.every((o) => o.errors === 0) && (p.baseline ?? []).every((o) => o.errors === 0));
}
