import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { sql } from "drizzle-orm";
import { openDatabase, type DatabaseHandle } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import type { IssuedTokens } from "../sandbox/tiktok/index";
import { DEFAULT_CLIENT as GOOGLE_CLIENT } from "../sandbox/google/options";
import type { SandboxAnswers, SandboxRequest, SandboxResponse } from "./sandbox-server";
import { Agent, request } from "undici";

export const ROOT = path.resolve(__dirname, "..");
/** Where BENCH_PROFILE=1 writes V8 CPU profiles (of the sweeper, and of `next start`). */
export const PROFILE_DIR = path.join(os.tmpdir(), "socialflow-bench-profiles");
export const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/test";

export function adminUrl(): string {
  return process.env.BENCH_ADMIN_URL ?? process.env.TEST_DATABASE_URL ?? DEFAULT_ADMIN_URL;
}

type Distribute<T> = T extends { type: infer K } ? (K extends keyof SandboxAnswers ? Omit<T, "id"> : never) : never;

/** The TikTok and Google sandboxes in a separate process (bench/sandbox-server.ts), driven over IPC. */
export async function startSandboxProcess() {
  const child: ChildProcess = fork(path.join(ROOT, "bench/sandbox-server.ts"), [], {
    cwd: ROOT,
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const { url, googleUrl } = await new Promise<{ url: string; googleUrl: string }>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`sandbox process exited ${code}`)));
    child.on("message", (message: SandboxResponse) => {
      if ("ready" in message) return resolve(message);
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.ok) waiter?.resolve(message.result);
      else waiter?.reject(new Error(message.error));
    });
  });
  function call<R extends Distribute<SandboxRequest>>(request: R): Promise<SandboxAnswers[R["type"]]> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ ...request, id });
    });
  }
  /** POST to a sandbox's HTTP control API (docs/sandbox.md). */
  async function postControl(base: string, route: string, body: unknown): Promise<void> {
    const response = await fetch(`${base}/__sandbox/${route}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`sandbox control ${route} → ${response.status}`);
  }
  return {
    url,
    /** The Google/YouTube sandbox (authorize, token, revoke and the YouTube API under one origin). */
    googleUrl,
    pid: child.pid!,
    call,
    /** A TokenSource for seedConnectedAccounts (chunked: one IPC message per chunk). */
    issueTokens: (requests: { openId: string; scopes: string[] }[]): Promise<IssuedTokens[]> => call({ type: "issue", requests }),
    counters: () => call({ type: "counters" }),
    /** Google tokens for seeding, minted as an exchange would (one IPC message per chunk). */
    issueGoogleTokens: (requests: { accountId: string; scopes: string[] }[]) => call({ type: "googleIssue", requests }),
    googleCounters: () => call({ type: "googleCounters" }),
    /** POST to the TikTok sandbox's HTTP control API (docs/sandbox.md), e.g. `control("options", {...})`. */
    control: (route: string, body: unknown) => postControl(url, route, body),
    /** The same for the Google sandbox, e.g. `googleControl("users", { accountIds })`. */
    googleControl: (route: string, body: unknown) => postControl(googleUrl, route, body),
    async close() {
      child.removeAllListeners("exit");
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.disconnect();
      await Promise.race([exited, sleep(3000)]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}
export type SandboxProcess = Awaited<ReturnType<typeof startSandboxProcess>>;

/**
 * The benchmark's database: BENCH_DATABASE_URL as is (it must hold no social accounts — the
 * sweeper would refresh them against the sandbox), or a fresh database on the admin server,
 * dropped at the end, like tests/helpers/test-db.ts makes.
 */
export async function openBenchDatabase(): Promise<{ url: string; handle: DatabaseHandle; close(): Promise<void> }> {
  const given = process.env.BENCH_DATABASE_URL;
  if (given) {
    const handle = await openDatabase({ url: given, max: 8 });
    await migrateDatabase(handle);
    const count = await scalar(handle, sql`select count(*)::int as n from social_accounts`);
    if (count > 0) {
      await handle.close();
      throw new Error(`BENCH_DATABASE_URL holds ${count} social accounts: the benchmark needs an empty database`);
    }
    return { url: given, handle, close: () => handle.close() };
  }
  const admin = adminUrl();
  const name = `sf_bench_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const client = new Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString(), max: 8 });
  await migrateDatabase(handle);
  return {
    url: url.toString(),
    handle,
    async close() {
      await handle.close();
      const again = new Client({ connectionString: admin });
      await again.connect();
      await again.query(`drop database if exists ${name} with (force)`);
      await again.end();
    },
  };
}

export async function scalar(handle: DatabaseHandle, query: ReturnType<typeof sql>): Promise<number> {
  const result = (await handle.db.execute(query)) as unknown as { rows: { n: number }[] };
  return Number(result.rows[0]?.n ?? 0);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function fmt(value: number, digits = 0): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Runs `task` from `workers` loops until `count` tasks have run; returns elapsed ms. */
export async function runConcurrently(count: number, workers: number, task: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(workers, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return performance.now() - started;
}

/**
 * The baselines' HTTP client: undici's `request()` on one keep-alive Agent, the same kind of
 * client SocialFlow's `providerRequest` uses, so that a ratio compares the work on either side of
 * the wire and not two clients (WHATWG `fetch` costs more per call than `request()`).
 */
const baselineAgent = new Agent({ keepAliveTimeout: 10_000 });

export async function baselineRequest(
  url: string,
  init: { method?: "GET" | "POST"; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const response = await request(url, { method: init.method ?? "GET", headers: init.headers, body: init.body, dispatcher: baselineAgent });
  const text = await response.body.text();
  return { status: response.statusCode, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** One refresh_token grant straight at the sandbox's token endpoint (no SocialFlow); true if it issued a token. */
export async function sandboxRefresh(sandboxUrl: string, refreshToken: string): Promise<boolean> {
  const { body } = await baselineRequest(`${sandboxUrl}/v2/oauth/token/`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams({
      client_key: "sandbox_client_key",
      client_secret: "sandbox_client_secret",
      grant_type: "refresh_token",
      refresh_token: refreshToken,
    }).toString(),
  });
  return Boolean((body as { access_token?: string } | undefined)?.access_token);
}

/** One refresh_token grant straight at the Google sandbox's token endpoint (no SocialFlow); true if it issued a token. */
export async function googleSandboxRefresh(googleUrl: string, refreshToken: string): Promise<boolean> {
  const { body } = await baselineRequest(`${googleUrl}/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_id: GOOGLE_CLIENT.clientId,
      client_secret: GOOGLE_CLIENT.clientSecret,
      grant_type: "refresh_token",
      refresh_token: refreshToken,
    }).toString(),
  });
  return Boolean((body as { access_token?: string } | undefined)?.access_token);
}

/** Whole-machine CPU from /proc/stat: call twice, subtract, and see how busy both cores were. */
export function cpuTimes(): { busy: number; total: number } {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

export function cpuBusyPercent(before: { busy: number; total: number }, after: { busy: number; total: number }): number {
  const total = after.total - before.total;
  return total > 0 ? (100 * (after.busy - before.busy)) / total : NaN;
}

export function loadAverage(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "n/a";
  }
}
