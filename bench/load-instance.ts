/**
 * Issue #7 §6: a bounded load test of one `next start` instance on the real PostgreSQL, over
 * loopback only. Many users connect their own accounts at once — four in five a TikTok account
 * (TikTok sandbox), one in five a YouTube channel (Google sandbox) — then refresh them, then
 * reconnect and refresh at the same time (a refresh racing its own account's reconnect
 * included); before each refresh phase the tokens are aged past the Refresh button's minute, so
 * every account's refreshes reach its provider. Every answer must be the expected one, and afterwards the database must hold
 * exactly one account per user, each ACTIVE with a refresh token its provider still accepts;
 * per provider, one stored refresh per refresh the provider granted (less, in the mixed phase,
 * those a reconnect superseded) and no revoke at all (nothing was disconnected); and every
 * YouTube refresh token unchanged by the refresh phase (Google's do not rotate). Throughput and p50/p99 latency per operation are printed beside the sandbox doing the
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
import { channelIdFor } from "../sandbox/google/seed";
import { consent } from "../sandbox/google/browser";
import { requireFreePort } from "../scripts/dev-ports";
import { Client, processCpuMs, serverPids, startApp } from "./app-server";
import { googleSandboxOnlyFlow, sandboxOnlyFlow } from "./connect-flow";
import { cpuBusyPercent, cpuTimes, fmt, googleSandboxRefresh, openBenchDatabase, percentile, sandboxRefresh, startSandboxProcess } from "./lib";

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

type Provider = "tiktok" | "youtube";
type Platform = "TIKTOK" | "YOUTUBE";
const PLATFORM: Record<Provider, Platform> = { tiktok: "TIKTOK", youtube: "YOUTUBE" };
const YOUTUBE_READONLY = "https://www.googleapis.com/auth/youtube.readonly";

interface AccountRow {
  id: string;
  platform: Platform;
  platformUserId: string;
  status: string;
  failures: number;
  lease: string | null;
  refreshToken: string | null;
  email: string;
}

interface VirtualUser {
  index: number;
  provider: Provider;
  /** The sandbox account: a TikTok open_id or a Google account id. */
  openId: string;
  /** What SocialFlow stores as platform_user_id: the open_id, or the YouTube channel id. */
  platformUserId: string;
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

/** One user in YOUTUBE_EVERY connects a YouTube channel (through the Google sandbox), the others TikTok. */
const YOUTUBE_EVERY = 5;

export async function benchLoad(options: { users: number; concurrency: number; refreshesPerAccount: number; port: number }): Promise<LoadResult> {
  const { users: userCount, concurrency, refreshesPerAccount, port } = options;
  // Before anything starts: with the port taken, the load would go to whatever answers there.
  await requireFreePort("BENCH_LOAD_PORT", port);
  const origin = `http://localhost:${port}`;
  const redirectUris: Record<Provider, string> = {
    tiktok: `${origin}/api/oauth/tiktok/callback`,
    youtube: `${origin}/api/oauth/youtube/callback`,
  };
  const keys = `k1:${randomBytes(32).toString("base64")}`;
  const cipher = createTokenCipher(parseKeyring(keys));
  const tag = randomBytes(3).toString("hex");

  const setupStarted = performance.now();
  const sandbox = await startSandboxProcess();
  const database = await openBenchDatabase();
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    const people: VirtualUser[] = Array.from({ length: userCount }, (_, index) => {
      const provider: Provider = index % YOUTUBE_EVERY === YOUTUBE_EVERY - 1 ? "youtube" : "tiktok";
      // The sandbox account: a TikTok open_id, or a Google account whose channel becomes the SocialFlow account.
      const openId = provider === "tiktok" ? `load-${tag}-${index}` : `gload-${tag}-${index}`;
      return {
        index,
        provider,
        openId,
        platformUserId: provider === "tiktok" ? openId : channelIdFor(openId),
        email: `load-${tag}-${index}@example.test`,
        // Each virtual user is its own client address, as real users are (Better Auth limits sign-ups per address).
        client: new Client(origin, { "x-forwarded-for": `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}` }),
      };
    });
    const tiktokPeople = people.filter((p) => p.provider === "tiktok");
    const youtubePeople = people.filter((p) => p.provider === "youtube");
    await sandbox.control("options", { redirectUris: [redirectUris.tiktok] });
    await sandbox.control("users", { openIds: tiktokPeople.map((p) => p.openId) });
    await sandbox.googleControl("options", { redirectUris: [redirectUris.youtube] });
    if (youtubePeople.length > 0) await sandbox.googleControl("users", { accountIds: youtubePeople.map((p) => p.openId) });

    app = await startApp({ port, sandboxUrl: sandbox.url, googleUrl: sandbox.googleUrl, env: { DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEYS: keys } });

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

    /** The provider's consent step as the browser does it; returns the callback URL it redirects to. */
    const atProvider = async (person: VirtualUser, url: string): Promise<string> => {
      if (person.provider === "tiktok") return decideAtSandbox(url, { openId: person.openId });
      const at = new URL(url);
      const step = await consent(at.origin, at.searchParams, { account: person.openId });
      if (step.status !== 302 || !step.location) throw new Error(`Google sandbox consent → ${step.status}`);
      return step.location;
    };

    /** authorize → the sandbox's consent page and decision → callback, as the browser does it. */
    const connect = async (person: VirtualUser, authorize: Recorder, callback: Recorder): Promise<void> => {
      const url = await authorize.time(async () => {
        const response = await person.client.fetch(`/api/oauth/${person.provider}/authorize`, { method: "POST" });
        const body = (await response.json()) as { url?: string; code?: string };
        if (response.status !== 200 || !body.url) throw new Error(`authorize → ${response.status} ${body.code ?? ""}`);
        return body.url;
      });
      if (!url) return;
      const back = await atProvider(person, url);
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
        const response = await person.client.fetch(`/api/oauth/${person.provider}/refresh`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ accountId: person.accountId }),
        });
        const body = (await response.json()) as { success?: boolean; code?: string };
        if (response.status !== 200 || body.success !== true) throw new Error(`refresh → ${response.status} ${body.code ?? ""}`);
      });

    const phases: LoadPhase[] = [];
    const pids = serverPids(app.pid);
    const refreshedEvents = async (): Promise<Record<Platform, number>> => {
      const result = (await database.handle.db.execute(sql`
        select a.platform, count(*)::int as n from account_events e join social_accounts a on a.id = e.account_id
        where e.kind = 'refreshed' group by a.platform`)) as unknown as { rows: { platform: Platform; n: number }[] };
      const of = (platform: Platform) => Number(result.rows.find((r) => r.platform === platform)?.n ?? 0);
      return { TIKTOK: of("TIKTOK"), YOUTUBE: of("YOUTUBE") };
    };
    const counters = async () => ({ tiktok: await sandbox.counters(), google: await sandbox.googleCounters() });
    const grants = (c: Awaited<ReturnType<typeof counters>>) => ({
      TIKTOK: c.tiktok.tokenByGrant.refresh_token ?? 0,
      YOUTUBE: c.google.tokenByGrant.refresh_token ?? 0,
    });
    const countersAtStart = await counters();

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
      // The same provider work without SocialFlow: consent, code exchange with PKCE, the profile (user info / channel).
      const baselineRun = await runPhase(
        people.map((person) => () => baselineFlows.time(() =>
          person.provider === "tiktok"
            ? sandboxOnlyFlow(sandbox.url, person.openId, redirectUris.tiktok)
            : googleSandboxOnlyFlow(sandbox.googleUrl, person.openId, redirectUris.youtube),
        )),
        concurrency,
      );
      phases.push({
        name: `connect: ${fmt(userCount)} users connect their accounts (${fmt(tiktokPeople.length)} TikTok, ${fmt(youtubePeople.length)} YouTube)`,
        seconds: run.seconds,
        machineBusyPct: run.machineBusyPct,
        serverCpuMsPerRequest: run.serverCpuMs / (2 * people.length),
        ops: [flows.stats(run.seconds), authorize.stats(run.seconds), callback.stats(run.seconds)],
        baseline: [baselineFlows.stats(baselineRun.seconds)],
      });
    }

    const connected = people.filter((p) => p.accountId);
    const connectedOn = (provider: Provider) => connected.filter((p) => p.provider === provider).length;
    // The raw refreshes of the baseline, in the same mix of providers as the accounts.
    const baselineTikTok = await sandbox.issueTokens(
      Array.from({ length: connectedOn("tiktok") * refreshesPerAccount }, (_, i) => ({ openId: `load-base-${tag}-${i}`, scopes: ["user.info.basic"] })),
    );
    const baselineGoogle = await sandbox.issueGoogleTokens(
      Array.from({ length: connectedOn("youtube") * refreshesPerAccount }, (_, i) => ({ accountId: `gload-base-${tag}-${i}`, scopes: [YOUTUBE_READONLY] })),
    );
    const baselineTokens = shuffled([
      ...baselineTikTok.map((t) => () => sandboxRefresh(sandbox.url, t.refresh_token)),
      ...baselineGoogle.map((t) => () => googleSandboxRefresh(sandbox.googleUrl, t.refresh_token!)),
    ]);
    const youtubeRefreshTokensAfterConnect = await youtubeRefreshTokens();
    await ageTokens();
    const countersBeforeRefresh = await counters();
    const refreshedBeforeRefresh = await refreshedEvents();

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
        baselineTokens.map((grant) => () => raw.time(async () => {
          if (!(await grant())) throw new Error("sandbox refused");
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
    // The floor beside it: the cheapest route there is (GET /api/health: one handler, one
    // `select 1`, no session, no provider), at the same concurrency on the same instance — what
    // Next.js's own request handling costs this machine, below which no route can go.
    {
      const health = new Recorder("health route (floor)");
      const client = new Client(origin);
      const total = connected.length * refreshesPerAccount;
      const run = await runPhase(
        Array.from({ length: total }, () => () => health.time(async () => {
          const response = await client.fetch("/api/health");
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`health ${response.status}`);
        })),
        concurrency,
        pids,
      );
      phases.push({
        name: `floor: ${fmt(total)} GET /api/health`,
        seconds: run.seconds,
        machineBusyPct: run.machineBusyPct,
        serverCpuMsPerRequest: run.serverCpuMs / total,
        ops: [health.stats(run.seconds)],
      });
    }
    const countersBeforeMixed = await counters();
    const refreshedBeforeMixed = await refreshedEvents();
    const youtubeRefreshTokensAfterRefreshes = await youtubeRefreshTokens();
    await ageTokens();

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
    const countersAtEnd = await counters();
    const refreshedAtEnd = await refreshedEvents();

    // --- what the database holds now --------------------------------------------------------
    const rows = await accountRows();
    const events = (await database.handle.db.execute(sql`select kind, count(*)::int as n from account_events group by kind`)) as unknown as {
      rows: { kind: string; n: number }[];
    };
    const eventCount = (kind: string) => Number(events.rows.find((r) => r.kind === kind)?.n ?? 0);

    const expected = new Map(people.map((p) => [p.email, p]));
    const byAccount = new Map<string, number>();
    for (const row of rows) byAccount.set(`${row.platform}:${row.platformUserId}`, (byAccount.get(`${row.platform}:${row.platformUserId}`) ?? 0) + 1);
    const misfiled = rows.filter((r) => {
      const person = expected.get(r.email);
      return !person || person.platformUserId !== r.platformUserId || PLATFORM[person.provider] !== r.platform;
    }).length;
    const duplicated = [...byAccount.values()].filter((n) => n > 1).length;
    const lost = people.filter((p) => !byAccount.has(`${PLATFORM[p.provider]}:${p.platformUserId}`)).length;
    const unhealthy = rows.filter((r) => r.status !== "ACTIVE" || Number(r.failures) !== 0 || r.lease !== null).length;
    const plain = (r: AccountRow) => (r.refreshToken ? cipher.decrypt(r.refreshToken, tokenAad(r.id, "refresh_token")) : "");
    const tiktokStates = await sandbox.call({ type: "tokenStates", refreshTokens: rows.filter((r) => r.platform === "TIKTOK").map(plain) });
    const googleStates = await sandbox.call({ type: "googleTokenStates", refreshTokens: rows.filter((r) => r.platform === "YOUTUBE").map(plain) });

    // Refreshes each provider granted to SocialFlow (the baseline's raw refreshes taken out), per phase.
    const granted = (from: Awaited<ReturnType<typeof counters>>, to: Awaited<ReturnType<typeof counters>>) => {
      const a = grants(from);
      const b = grants(to);
      return { TIKTOK: b.TIKTOK - a.TIKTOK, YOUTUBE: b.YOUTUBE - a.YOUTUBE };
    };
    const refreshPhaseGrants = granted(countersBeforeRefresh, countersBeforeMixed);
    refreshPhaseGrants.TIKTOK -= baselineTikTok.length;
    refreshPhaseGrants.YOUTUBE -= baselineGoogle.length;
    const mixedPhaseGrants = granted(countersBeforeMixed, countersAtEnd);
    const eventsIn = (platform: Platform, from: Record<Platform, number>, to: Record<Platform, number>) => to[platform] - from[platform];
    // In the mixed phase a refresh whose account was reconnected while the provider answered is
    // not stored (the reconnect's newer grant wins) and not revoked (that would end the
    // reconnect): at most one such refresh per reconnect.
    const providerChecks = (["tiktok", "youtube"] as const).flatMap((provider) => {
      const platform = PLATFORM[provider];
      const name = provider === "tiktok" ? "TikTok" : "Google";
      const inRefresh = eventsIn(platform, refreshedBeforeRefresh, refreshedBeforeMixed);
      const inMixed = eventsIn(platform, refreshedBeforeMixed, refreshedAtEnd);
      const superseded = mixedPhaseGrants[platform] - inMixed;
      const c = provider === "tiktok" ? { start: countersAtStart.tiktok, end: countersAtEnd.tiktok } : { start: countersAtStart.google, end: countersAtEnd.google };
      const flowsOfProvider = people.filter((p) => p.provider === provider).length;
      // The baseline's sandbox-only flows exchange one code per user of this provider.
      const codeExchanges = (c.end.tokenByGrant.authorization_code ?? 0) - (c.start.tokenByGrant.authorization_code ?? 0) - flowsOfProvider;
      const revokes = (c.end.revoke ?? 0) - (c.start.revoke ?? 0);
      return [
        {
          name: `${provider} refresh events`,
          ok:
            inRefresh === refreshPhaseGrants[platform] &&
            inRefresh === connectedOn(provider) &&
            superseded >= 0 &&
            superseded <= connectedOn(provider),
          detail:
            `refresh phase: ${inRefresh} refreshed = ${refreshPhaseGrants[platform]} ${name} refreshes for ${connectedOn(provider)} accounts (exactly once each); ` +
            `mixed phase: ${inMixed} refreshed of ${mixedPhaseGrants[platform]} ${name} refreshes (${superseded} superseded by a reconnect, at most one per reconnect)`,
        },
        {
          name: `${name} calls`,
          ok: codeExchanges === flowsOfProvider + connectedOn(provider) && revokes === 0,
          detail: `code exchanges ${codeExchanges} for ${flowsOfProvider + connectedOn(provider)} flows; revokes ${revokes} (nothing was disconnected, so nothing may be revoked)`,
        },
      ];
    });
    const youtubeRows = rows.filter((r) => r.platform === "YOUTUBE").length;
    const changedByRefresh = [...youtubeRefreshTokensAfterConnect].filter(([id, token]) => youtubeRefreshTokensAfterRefreshes.get(id) !== token).length;
    const checks = [
      { name: "accounts", ok: rows.length === userCount && lost === 0 && duplicated === 0 && misfiled === 0, detail: `${rows.length} accounts for ${userCount} users: ${lost} lost, ${duplicated} duplicated, ${misfiled} linked to the wrong user or network` },
      { name: "health", ok: unhealthy === 0, detail: `${unhealthy} not ACTIVE, with failures or with a lease left` },
      {
        name: "tokens",
        ok: (tiktokStates.valid ?? 0) === rows.length - youtubeRows && (googleStates.valid ?? 0) === youtubeRows,
        detail: `stored refresh tokens at TikTok: ${JSON.stringify(tiktokStates)}; at Google: ${JSON.stringify(googleStates)}`,
      },
      {
        name: "Google refresh tokens",
        ok: youtubeRefreshTokensAfterConnect.size === connectedOn("youtube") && changedByRefresh === 0,
        detail: `${changedByRefresh} of ${youtubeRefreshTokensAfterConnect.size} YouTube refresh tokens changed in the refresh phase (Google's do not rotate: never overwritten, never lost)`,
      },
      {
        name: "events",
        ok: eventCount("connected") === userCount && eventCount("reconnected") === connected.length,
        detail: `connected ${eventCount("connected")}, reconnected ${eventCount("reconnected")}`,
      },
      ...providerChecks,
    ];
    return { users: userCount, concurrency, refreshesPerAccount, setupSec, phases, checks };

    /**
     * Tokens older than the Refresh button's minute (and no press in it), so each account's next
     * refresh calls its provider — once, however many calls overlap.
     */
    async function ageTokens(): Promise<void> {
      await database.handle.db.execute(
        sql`update social_accounts set last_refreshed_at = now() - interval '2 minutes', manual_refresh_at = null`,
      );
    }

    async function accountRows(): Promise<AccountRow[]> {
      const result = (await database.handle.db.execute(sql`
        select a.id, a.platform, a.platform_user_id as "platformUserId", a.status, a.refresh_failures as "failures",
               a.refresh_lease_id as "lease", a.refresh_token as "refreshToken", u.email
        from social_accounts a join "user" u on u.id = a.user_id
      `)) as unknown as { rows: AccountRow[] };
      return result.rows;
    }

    /** Each YouTube account's refresh token in the clear, by account id. */
    async function youtubeRefreshTokens(): Promise<Map<string, string>> {
      const rows = (await accountRows()).filter((r) => r.platform === "YOUTUBE");
      return new Map(rows.map((r) => [r.id, r.refreshToken ? cipher.decrypt(r.refreshToken, tokenAad(r.id, "refresh_token")) : ""]));
    }
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
