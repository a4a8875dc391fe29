/**
 * Benchmark (b): connect flows per second through the real route handlers (authorize →
 * sandbox consent → callback), and the callback's own time without TikTok's: every provider
 * exchange the callback makes is timed (AsyncLocalStorage keeps concurrent callbacks apart) and subtracted.
 *
 * Baselines from the same run: the sandbox-only flow (consent, code exchange, user info, no
 * SocialFlow) at the same concurrency, and the TikTok time inside the measured callbacks. And
 * the flows ratio's floor: the minimal connect flow (bench/connect-floor.ts), the sandbox-only
 * flow plus the three statements a durable connect needs, at the same concurrency; and the
 * required flow (bench/connect-required.ts), the minimal flow plus the routes, session check,
 * encryption and validation any multi-user web app's connect must do.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import diagnosticsChannel from "node:diagnostics_channel";
import { createHash, randomBytes } from "node:crypto";
import { SEED_USERS } from "../sandbox/tiktok/index";
import { DEFAULT_CLIENT as GOOGLE_CLIENT } from "../sandbox/google/options";
import { consent } from "../sandbox/google/browser";
import { REDIRECT_URI, startAppHarness, TestBrowser, decideAtSandbox } from "../tests/helpers/app-harness";
import { followCallback, startConnect } from "../tests/helpers/connect-flow";
import { adminUrl, baselineRequest, percentile, runConcurrently, startSandboxProcess } from "./lib";
import { createRequiredTables, requiredConnectFlow, requiredRoutes, requiredSessionCookie } from "./connect-required";
import { consentAtSandbox, createFloorTables, exchangeAtSandbox, minimalConnectFlow, tiktokAuthorizeRequest, type FloorDatabase, type RawQuery } from "./connect-floor";
import pg from "pg";
import { sql } from "drizzle-orm";
import { PROVIDER_EXCHANGE_CHANNEL, type ProviderExchangeMessage } from "@/lib/connections/provider-http";

export interface ConnectResult {
  flows: number;
  concurrency: number;
  database: string;
  flowsPerSec: number;
  baselineFlowsPerSec: number;
  /**
   * The minimal connect flow (bench/connect-floor.ts): the sandbox-only flow plus the three
   * statements a durable connect cannot do without. Its ratio to the sandbox-only flow is the
   * flows ratio's floor in this run: about the most any implementation could reach here (one
   * measurement, as noisy as the others).
   */
  floorFlowsPerSec: number;
  /**
   * The minimal flow's callback (bench/connect-floor.ts), timed like SocialFlow's: its own time
   * (total − TikTok's) is about the least a callback's own time can be in this run.
   */
  floorCallback: { tiktok: { p50: number; p99: number }; own: { p50: number; p99: number } };
  /**
   * The required connect flow (bench/connect-required.ts): the minimal flow plus the work any
   * multi-user web app's connect must do (routes' Request/Response, session check, state
   * binding, encryption, validation), leanly and without SocialFlow's code. Its ratio is about
   * the best a product keeping the project's rules reaches in this run; its callback is timed like
   * SocialFlow's.
   */
  requiredFlowsPerSec: number;
  requiredCallback: { tiktok: { p50: number; p99: number }; own: { p50: number; p99: number } };
  callbackTotal: { p50: number; p99: number };
  callbackTikTok: { p50: number; p99: number };
  callbackOwn: { p50: number; p99: number };
  /**
   * CPU of this process per flow (less sensitive to a busy machine than wall time): the routes
   * and the bench's browser, against the browser alone in the sandbox-only flow (TikTok's
   * sandbox is in its own process either way). The difference is SocialFlow's CPU per connect.
   * `minimalFlow`: the browser, the client and the driver of the minimal flow, the least a connect costs here.
   */
  cpuMsPerFlow: { socialflow: number; sandboxOnlyClient: number; minimalFlow: number; requiredFlow: number };
  /** Round trips per request, averaged over the measured flows: SQL statements and provider calls. */
  perRequest: { authorizeStatements: number; callbackStatements: number; callbackProviderCalls: number; callbackSqlMs: { p50: number; p99: number } };
  /** The callback's statements one by one: how many ran and their wall time, p50. */
  callbackStatements: { label: string; count: number; p50: number }[];
  /** Measured in the same run on the same pool: `select 1`, and a one-row INSERT with its commit. */
  databaseFloor: { selectOne: { p50: number; p99: number }; insertCommit: { p50: number; p99: number } };
}

export interface RequestTally {
  tiktokMs: number;
  /** Wall time of each statement and each provider exchange, [start, end] (performance.now()). */
  sqlSpans: [number, number][];
  providerSpans: [number, number][];
  statements: number;
  providerCalls: number;
  /** Wall time of each statement, by its first words (which statement it is). */
  statementMs: Map<string, number[]>;
}
export const callbackTiming = new AsyncLocalStorage<RequestTally>();
export const newTally = (): RequestTally => ({ tiktokMs: 0, sqlSpans: [], providerSpans: [], statements: 0, providerCalls: 0, statementMs: new Map() });

/** Total length of a set of spans, overlaps counted once. */
function covered(spans: [number, number][]): number {
  let total = 0;
  let reach = -Infinity;
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    if (end <= reach) continue;
    total += end - Math.max(start, reach);
    reach = end;
  }
  return total;
}

/**
 * Of a request's own time, how much was spent waiting for PostgreSQL: statements' wall time,
 * except while a provider exchange was also in flight (the callback reads the account's holder
 * during TikTok's user-info call; that wait is TikTok's, already subtracted).
 */
export function sqlWaitMs(tally: RequestTally): number {
  return covered([...tally.sqlSpans, ...tally.providerSpans]) - covered(tally.providerSpans);
}

/** Labels by statement text, made once each: the bench's own CPU per statement counts as SocialFlow's. */
const labels = new Map<string, string>();

/** A statement's first words, enough to tell the callback's statements apart (never its values: they are parameters). */
function statementLabel(query: unknown): string {
  const text = typeof query === "string" ? query : typeof query === "object" && query !== null && "text" in query ? String(query.text) : "?";
  let label = labels.get(text);
  if (label === undefined) labels.set(text, (label = text.replace(/\s+/g, " ").trim().slice(0, 44)));
  return label;
}

/**
 * Counts every statement a request sends to PostgreSQL (each is one round trip: BEGIN and
 * COMMIT included), at the driver, so drizzle, Better Auth and raw SQL are all seen.
 */
export function installStatementCounter(): () => void {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const realQuery = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const store = callbackTiming.getStore();
    if (!store) return realQuery.apply(this, args);
    store.statements++;
    const started = performance.now();
    const label = statementLabel(args[0]);
    const done = () => {
      const ended = performance.now();
      const ms = ended - started;
      store.sqlSpans.push([started, ended]);
      const seen = store.statementMs.get(label);
      if (seen) seen.push(ms);
      else store.statementMs.set(label, [ms]);
    };
    // pg-pool's pool.query passes a callback; transactions use the promise form.
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === "function") {
      args[last] = (...answer: unknown[]) => {
        done();
        return (callback as (...a: unknown[]) => unknown)(...answer);
      };
      return realQuery.apply(this, args);
    }
    const result = realQuery.apply(this, args);
    if (result instanceof Promise) void result.then(done, done);
    return result;
  };
  return () => {
    proto.query = realQuery;
  };
}

/**
 * Times each provider exchange made inside a callback, body included: providerRequest
 * publishes its duration on a diagnostics channel, in the caller's async context, so the
 * callback's tally is at hand. The exchange itself runs on the app's real transport.
 */
function installProviderTimer(): () => void {
  const onExchange = (message: unknown) => {
    const store = callbackTiming.getStore();
    if (!store) return;
    const { durationMs } = message as ProviderExchangeMessage;
    const ended = performance.now();
    store.tiktokMs += durationMs;
    store.providerSpans.push([ended - durationMs, ended]);
    store.providerCalls++;
  };
  diagnosticsChannel.subscribe(PROVIDER_EXCHANGE_CHANNEL, onExchange);
  return () => {
    diagnosticsChannel.unsubscribe(PROVIDER_EXCHANGE_CHANNEL, onExchange);
  };
}

/**
 * What the sandbox alone needs for one connect: consent, code exchange with PKCE, user info.
 * The steps are shared with the minimal flow (bench/connect-floor.ts), which adds only its
 * three statements between them.
 */
export async function sandboxOnlyFlow(sandboxUrl: string, openId: string, redirectUri = REDIRECT_URI): Promise<void> {
  const flow = "sandbox-only flow";
  const request = tiktokAuthorizeRequest(sandboxUrl, redirectUri);
  const { code } = await consentAtSandbox(request.url, openId, flow);
  // The calls SocialFlow's callback makes go through the same kind of client it uses (bench/lib.ts
  // baselineRequest); the consent step is the same browser call on both sides.
  await exchangeAtSandbox(sandboxUrl, code, request.verifier, redirectUri, flow);
}

/**
 * What the Google sandbox alone needs for one YouTube connect: chooser and consent, code
 * exchange with PKCE, and the channel (channels.list?mine=true).
 */
export async function googleSandboxOnlyFlow(googleUrl: string, accountId: string, redirectUri: string): Promise<void> {
  const verifier = randomBytes(32).toString("base64url");
  const params = new URLSearchParams({
    client_id: GOOGLE_CLIENT.clientId,
    redirect_uri: redirectUri,
    response_type: "code",
    scope: "https://www.googleapis.com/auth/youtube.readonly https://www.googleapis.com/auth/youtube.upload",
    access_type: "offline",
    prompt: "consent select_account",
    include_granted_scopes: "true",
    state: randomBytes(16).toString("base64url"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  });
  const step = await consent(googleUrl, params, { account: accountId });
  const code = step.location ? new URL(step.location).searchParams.get("code") : null;
  if (!code) throw new Error(`Google sandbox-only flow: no code (${step.status})`);
  const token = await baselineRequest(`${googleUrl}/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_id: GOOGLE_CLIENT.clientId,
      client_secret: GOOGLE_CLIENT.clientSecret,
      code,
      grant_type: "authorization_code",
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }).toString(),
  });
  const tokens = token.body as { access_token?: string } | undefined;
  if (!tokens?.access_token) throw new Error("Google sandbox-only flow: no access token");
  const channels = await baselineRequest(`${googleUrl}/youtube/v3/channels?part=id,snippet,statistics,contentDetails&mine=true`, {
    headers: { Authorization: `Bearer ${tokens.access_token}` },
  });
  if (channels.status !== 200) throw new Error(`Google sandbox-only flow: channels → ${channels.status}`);
}

/** The connect bench's phases run in this many interleaved rounds (see benchConnectFlows): two passes of {@link balancedOrder}. */
const CONNECT_ROUNDS = 8;

/**
 * The order of `n` phases (n even) in round `round`: a Williams design, a Latin square in which
 * every phase comes right after every other phase exactly once per n rounds. A phase leaves work
 * behind for the next one (its garbage is collected, its connections settle during the next
 * chunk); with a plain rotation the same phase always followed the same other one — the
 * sandbox-only flow came after SocialFlow's in four rounds of five and paid for its garbage.
 * Row r: r, r+1, r−1, r+2, r−2, … (mod n).
 */
export function balancedOrder(n: number, round: number): number[] {
  const r = round % n;
  return Array.from({ length: n }, (_, k) => {
    const step = Math.ceil(k / 2) * (k % 2 === 1 ? 1 : -1);
    return (((r + step) % n) + n) % n;
  });
}

/** The connect bench's three flows, by the names BENCH_CONNECT_PHASE takes. */
export const CONNECT_PHASES = ["socialflow", "sandbox-only", "minimal", "required"] as const;
export type ConnectPhase = (typeof CONNECT_PHASES)[number];

/** One flow's figures in a result: flows/s and this process's CPU per flow (browser included). */
export function phaseFigures(r: ConnectResult, phase: ConnectPhase): { flowsPerSec: number; cpuMsPerFlow: number } {
  switch (phase) {
    case "socialflow":
      return { flowsPerSec: r.flowsPerSec, cpuMsPerFlow: r.cpuMsPerFlow.socialflow };
    case "sandbox-only":
      return { flowsPerSec: r.baselineFlowsPerSec, cpuMsPerFlow: r.cpuMsPerFlow.sandboxOnlyClient };
    case "minimal":
      return { flowsPerSec: r.floorFlowsPerSec, cpuMsPerFlow: r.cpuMsPerFlow.minimalFlow };
    case "required":
      return { flowsPerSec: r.requiredFlowsPerSec, cpuMsPerFlow: r.cpuMsPerFlow.requiredFlow };
  }
}

export async function benchConnectFlows(options: {
  flows: number;
  concurrency: number;
  warmup: number;
  /**
   * Run only this flow in the measured rounds (after the usual warm-up of all three), so a CPU
   * profile of the process (`node --cpu-prof`) holds one flow's work. The other flows' figures
   * and every ratio are then meaningless: the caller prints only this flow's.
   */
  onlyPhase?: ConnectPhase;
}): Promise<ConnectResult> {
  // The harness makes its own throwaway database on this server (PGlite when BENCH_CONNECT_DB=pglite).
  if (process.env.BENCH_CONNECT_DB === "pglite") delete process.env.TEST_DATABASE_URL;
  else process.env.TEST_DATABASE_URL = adminUrl();
  // TikTok's side runs in its own process, as TikTok does: its CPU must not be queued in front
  // of the callbacks measured here and counted as SocialFlow's own time (BENCH_CONNECT_SANDBOX=inprocess: the old way).
  const external = process.env.BENCH_CONNECT_SANDBOX === "inprocess" ? undefined : await startSandboxProcess();
  await external?.control("options", { redirectUris: [REDIRECT_URI] });
  const h = await startAppHarness(
    external ? { env: { TIKTOK_AUTH_URL: `${external.url}/v2/auth/authorize/`, TIKTOK_API_BASE_URL: external.url } } : {},
  );
  const sandboxUrl = external?.url ?? h.sandbox.url;
  const restoreTimer = installProviderTimer();
  const restoreQuery = installStatementCounter();
  try {
    // One SocialFlow user per sandbox test account (an account links to one user only);
    // each reconnects its account over and over, as a user pressing "Connect" again would.
    const people = await Promise.all(
      SEED_USERS.map(async (seed) => ({ openId: seed.openId, browser: new TestBrowser((await h.signUp()).cookie) })),
    );
    const total: number[] = [];
    const tiktok: number[] = [];
    const own: number[] = [];
    const sqlMs: number[] = [];
    const counted = { flows: 0, authorize: newTally(), callback: newTally() };
    const flow = async (index: number, record: boolean) => {
      const person = people[index % people.length]!;
      const authorize = newTally();
      const url = await callbackTiming.run(authorize, () => startConnect(person.browser));
      const callbackUrl = await decideAtSandbox(url, { openId: person.openId });
      const timing = newTally();
      const started = performance.now();
      const { location } = await callbackTiming.run(timing, () => followCallback(person.browser, callbackUrl));
      const elapsed = performance.now() - started;
      if (!location?.searchParams.get("account")) throw new Error(`connect failed: ${location?.searchParams.get("error") ?? "no redirect"}`);
      if (record) {
        total.push(elapsed);
        tiktok.push(timing.tiktokMs);
        own.push(elapsed - timing.tiktokMs);
        sqlMs.push(sqlWaitMs(timing));
        counted.flows++;
        counted.authorize.statements += authorize.statements;
        counted.callback.statements += timing.statements;
        counted.callback.providerCalls += timing.providerCalls;
        for (const [label, ms] of timing.statementMs) counted.callback.statementMs.set(label, [...(counted.callback.statementMs.get(label) ?? []), ...ms]);
      }
    };
    const baselineFlow = (i: number) => sandboxOnlyFlow(sandboxUrl, SEED_USERS[i % SEED_USERS.length]!.openId);
    // The minimal flow runs on the app's own pool (same size, connections already open), each
    // statement sent straight to the driver: nothing of drizzle or SocialFlow.
    const raw: FloorDatabase = { client: (h.db as unknown as { $client: RawQuery }).$client, named: h.database.kind === "postgres" };
    await createFloorTables(raw.client);
    const floorTikTok: number[] = [];
    const floorOwn: number[] = [];
    // As `flow` above: `record` false while warming up.
    const floorFlow = async (i: number, record: boolean) => {
      const { totalMs, tiktokMs } = await minimalConnectFlow(raw, sandboxUrl, REDIRECT_URI, SEED_USERS[i % SEED_USERS.length]!.openId, `floor-user-${i % SEED_USERS.length}`);
      if (record) {
        floorTikTok.push(tiktokMs);
        floorOwn.push(totalMs - tiktokMs);
      }
    };
    // The required flow: its own routes on the same pool, one browser per seed account, signed
    // in as the minimal flow's user of that account (an account links to one user only).
    await createRequiredTables(raw.client);
    const routes = requiredRoutes(raw, sandboxUrl, REDIRECT_URI);
    const requiredBrowsers = SEED_USERS.map((_, k) => new TestBrowser(requiredSessionCookie(`floor-user-${k}`)));
    const requiredTikTok: number[] = [];
    const requiredOwn: number[] = [];
    const requiredFlow = async (i: number, record: boolean) => {
      const k = i % SEED_USERS.length;
      const { totalMs, tiktokMs } = await requiredConnectFlow(routes, requiredBrowsers[k]!, SEED_USERS[k]!.openId);
      if (record) {
        requiredTikTok.push(tiktokMs);
        requiredOwn.push(totalMs - tiktokMs);
      }
    };

    // The four flows run interleaved, in rounds, each round in another order (balancedOrder):
    // this machine's speed drifts by up to half within minutes, and a ratio of two phases run
    // one after the other would measure the drift as much as the flows. Each phase's wall time
    // and CPU are summed over its chunks.
    const socialflowPhase = { run: (i: number) => flow(i, true), ms: 0, cpu: 0 };
    const baselinePhase = { run: baselineFlow, ms: 0, cpu: 0 };
    const floorPhase = { run: (i: number) => floorFlow(i, true), ms: 0, cpu: 0 };
    const requiredPhase = { run: (i: number) => requiredFlow(i, true), ms: 0, cpu: 0 };
    const byName: Record<ConnectPhase, typeof socialflowPhase> = { socialflow: socialflowPhase, "sandbox-only": baselinePhase, minimal: floorPhase, required: requiredPhase };
    const phases = options.onlyPhase ? [byName[options.onlyPhase]] : [socialflowPhase, baselinePhase, floorPhase, requiredPhase];
    await runConcurrently(options.warmup, options.concurrency, (i) => flow(i, false));
    await runConcurrently(options.warmup, options.concurrency, baselineFlow);
    await runConcurrently(options.warmup, options.concurrency, (i) => floorFlow(i, false));
    await runConcurrently(options.warmup, options.concurrency, (i) => requiredFlow(i, false));
    const chunk = Math.ceil(options.flows / CONNECT_ROUNDS);
    for (let round = 0, done = 0; done < options.flows; round++, done += chunk) {
      const size = Math.min(chunk, options.flows - done);
      for (const index of phases.length === 1 ? [0] : balancedOrder(phases.length, round)) {
        const phase = phases[index]!;
        const cpuBefore = process.cpuUsage();
        phase.ms += await runConcurrently(size, options.concurrency, (i) => phase.run(done + i));
        const used = process.cpuUsage(cpuBefore);
        phase.cpu += used.user + used.system;
      }
    }

    // The database's own floor, same pool, same run: a read round trip, and a one-row INSERT
    // whose commit waits for the WAL flush as the callback's consume and write do.
    await h.db.execute(sql`create table bench_commit_probe (id bigserial primary key, at timestamptz not null)`);
    const roundTrip = async (statement: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < 300; i++) {
        const started = performance.now();
        await statement();
        times.push(performance.now() - started);
      }
      return times;
    };
    // Not when profiling one flow: the profile's last seconds are then that flow's alone.
    const probe = (statement: () => Promise<unknown>) => (options.onlyPhase ? Promise.resolve([Number.NaN]) : roundTrip(statement));
    const selectOne = await probe(() => h.db.execute(sql`select 1`));
    const insertCommit = await probe(() => h.db.execute(sql`insert into bench_commit_probe (at) values (now())`));
    const cpuMsPerFlow = (phase: { cpu: number }) => phase.cpu / 1000 / options.flows;

    const p = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    };
    return {
      flows: options.flows,
      concurrency: options.concurrency,
      database: h.database.kind,
      flowsPerSec: (options.flows / socialflowPhase.ms) * 1000,
      baselineFlowsPerSec: (options.flows / baselinePhase.ms) * 1000,
      floorFlowsPerSec: (options.flows / floorPhase.ms) * 1000,
      floorCallback: { tiktok: p(floorTikTok), own: p(floorOwn) },
      requiredFlowsPerSec: (options.flows / requiredPhase.ms) * 1000,
      requiredCallback: { tiktok: p(requiredTikTok), own: p(requiredOwn) },
      callbackTotal: p(total),
      callbackTikTok: p(tiktok),
      callbackOwn: p(own),
      perRequest: {
        authorizeStatements: counted.authorize.statements / counted.flows,
        callbackStatements: counted.callback.statements / counted.flows,
        callbackProviderCalls: counted.callback.providerCalls / counted.flows,
        callbackSqlMs: p(sqlMs),
      },
      cpuMsPerFlow: { socialflow: cpuMsPerFlow(socialflowPhase), sandboxOnlyClient: cpuMsPerFlow(baselinePhase), minimalFlow: cpuMsPerFlow(floorPhase), requiredFlow: cpuMsPerFlow(requiredPhase) },
      callbackStatements: [...counted.callback.statementMs].map(([label, ms]) => ({ label, count: ms.length, p50: p(ms).p50 })),
      databaseFloor: { selectOne: p(selectOne), insertCommit: p(insertCommit) },
    };
  } finally {
    restoreQuery();
    restoreTimer();
    await h.close();
    await external?.close();
  }
}
