/**
 * One app instance for the end-to-end suite: a local TikTok sandbox and a local Google sandbox
 * (in this process) plus `next start` (a child process) wired to them, with fresh secrets and a
 * fresh database.
 *
 *   tsx scripts/e2e-server.ts [--port 3200] [--sandbox-port 4011] [--google-sandbox-port 4021]
 *                             [--pkce base64url|hex] [--oauth-error-status 400|200]
 *                             [--analytics-interval 10s]
 *
 * The same settings can come from E2E_PORT, E2E_SANDBOX_PORT, E2E_GOOGLE_SANDBOX_PORT, E2E_PKCE,
 * E2E_OAUTH_ERROR_STATUS, E2E_ANALYTICS_INTERVAL. With an analytics interval the app runs its
 * background sweepers (REFRESH_WORKER=on: token refresh and analytics snapshots) every that often;
 * without, none (REFRESH_WORKER=off), as most specs need a sandbox that only they call.
 * The app must be built first (`next build`; `npm run test:e2e` does it once for all instances).
 *
 * Database: PGlite in a new temporary directory, removed at exit; or, when E2E_DATABASE_URL is
 * set (a PostgreSQL URL whose user may create databases), a new database on that server,
 * dropped at exit.
 *
 * SIGTERM/SIGINT stop the app and the sandbox and clean up. Playwright's webServer is told to
 * send SIGTERM (gracefulShutdown in playwright.config.ts) so the clean-up runs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

/** The part of sandbox/tiktok's interface this script relies on. */
interface TikTokSandboxHandle {
  url: string;
  close(): Promise<void>;
}
interface TikTokSandboxModule {
  startTikTokSandbox(options: {
    port?: number;
    host?: string;
    redirectUris?: string[];
    pkceMode?: "base64url" | "hex";
    oauthErrorStatus?: 400 | 200;
    avatarBaseUrl?: string;
    coverBaseUrl?: string;
  }): Promise<TikTokSandboxHandle>;
}

/** The part of sandbox/google's interface this script relies on. */
interface GoogleSandboxModule {
  startGoogleSandbox(options: { port?: number; host?: string; redirectUris?: string[] }): Promise<TikTokSandboxHandle>;
  DEFAULT_CLIENT: { clientId: string; clientSecret: string };
}

interface E2EServerOptions {
  port: number;
  sandboxPort: number;
  googleSandboxPort: number;
  pkce: "base64url" | "hex";
  oauthErrorStatus: 400 | 200;
  /** ANALYTICS_INTERVAL (e.g. "10s"); undefined: no background sweepers. */
  analyticsInterval: string | undefined;
}

const t0 = Date.now();
const log = (message: string) => console.log(`[e2e-server +${((Date.now() - t0) / 1000).toFixed(1)}s] ${message}`);

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): E2EServerOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      "sandbox-port": { type: "string" },
      "google-sandbox-port": { type: "string" },
      pkce: { type: "string" },
      "oauth-error-status": { type: "string" },
      "analytics-interval": { type: "string" },
    },
    strict: true,
  });
  const port = Number(values.port ?? env.E2E_PORT ?? 3200);
  const sandboxPort = Number(values["sandbox-port"] ?? env.E2E_SANDBOX_PORT ?? 4011);
  const googleSandboxPort = Number(values["google-sandbox-port"] ?? env.E2E_GOOGLE_SANDBOX_PORT ?? 4021);
  const pkce = values.pkce ?? env.E2E_PKCE ?? "base64url";
  const oauthErrorStatus = Number(values["oauth-error-status"] ?? env.E2E_OAUTH_ERROR_STATUS ?? 400);
  for (const [name, value] of [["--port", port], ["--sandbox-port", sandboxPort], ["--google-sandbox-port", googleSandboxPort]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`${name} must be a TCP port, got ${value}`);
  }
  if (pkce !== "base64url" && pkce !== "hex") throw new Error(`--pkce must be base64url or hex, got ${pkce}`);
  if (oauthErrorStatus !== 400 && oauthErrorStatus !== 200) throw new Error(`--oauth-error-status must be 400 or 200, got ${oauthErrorStatus}`);
  const analyticsInterval = values["analytics-interval"] ?? env.E2E_ANALYTICS_INTERVAL;
  return { port, sandboxPort, googleSandboxPort, pkce, oauthErrorStatus, analyticsInterval };
}

/** Env names the app reads (src/lib/config/env-schema.ts) that must not leak in from the caller's shell. */
const APP_ENV_NAMES = [
  "DATABASE_URL",
  "PGLITE_DATA_DIR",
  "REDIS_URL",
  "NEXT_PUBLIC_APP_URL",
  "BETTER_AUTH_URL",
  "TOKEN_ENCRYPTION_KEYS",
  "BETTER_AUTH_SECRET",
  "TIKTOK_CLIENT_KEY",
  "TIKTOK_CLIENT_SECRET",
  "TIKTOK_AUTH_URL",
  "TIKTOK_API_BASE_URL",
  "TIKTOK_SCOPES",
  "TIKTOK_PKCE_ENCODING",
  "TIKTOK_SANDBOX",
  "GOOGLE_CLIENT_ID",
  "GOOGLE_CLIENT_SECRET",
  "GOOGLE_AUTH_URL",
  "GOOGLE_TOKEN_URL",
  "GOOGLE_REVOKE_URL",
  "YOUTUBE_API_BASE_URL",
  "YOUTUBE_SCOPES",
  "GOOGLE_SANDBOX",
  "REFRESH_WORKER",
  "ANALYTICS_INTERVAL",
  "TRUSTED_PROXY_HOPS",
];

async function startSandbox(root: string, options: E2EServerOptions, appUrl: string): Promise<TikTokSandboxHandle | undefined> {
  const entry = path.join(root, "sandbox", "tiktok", "index.ts");
  if (!existsSync(entry)) {
    log(`WARNING: ${path.relative(root, entry)} does not exist; starting the app WITHOUT a TikTok sandbox.`);
    return undefined;
  }
  // A computed specifier keeps `tsc` independent of the sandbox's presence.
  const mod = (await import(pathToFileURL(entry).href)) as TikTokSandboxModule;
  const ownUrl = `http://127.0.0.1:${options.sandboxPort}`;
  return mod.startTikTokSandbox({
    port: options.sandboxPort,
    host: "127.0.0.1",
    redirectUris: [`${appUrl}/api/oauth/tiktok/callback`],
    pkceMode: options.pkce,
    oauthErrorStatus: options.oauthErrorStatus,
    avatarBaseUrl: `${ownUrl}/avatars`,
    coverBaseUrl: `${ownUrl}/covers`,
  });
}

/** The Google sandbox for this instance, and the app's GOOGLE_* / YOUTUBE_* settings pointing at it. */
async function startGoogle(root: string, options: E2EServerOptions, appUrl: string) {
  const entry = path.join(root, "sandbox", "google", "index.ts");
  const mod = (await import(pathToFileURL(entry).href)) as GoogleSandboxModule;
  const sandbox = await mod.startGoogleSandbox({ port: options.googleSandboxPort, host: "127.0.0.1", redirectUris: [`${appUrl}/api/oauth/youtube/callback`] });
  const url = sandbox.url.replace(/\/+$/, "");
  const env = {
    GOOGLE_CLIENT_ID: mod.DEFAULT_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: mod.DEFAULT_CLIENT.clientSecret,
    GOOGLE_AUTH_URL: `${url}/o/oauth2/v2/auth`,
    GOOGLE_TOKEN_URL: `${url}/token`,
    GOOGLE_REVOKE_URL: `${url}/revoke`,
    YOUTUBE_API_BASE_URL: url,
    GOOGLE_SANDBOX: "on",
  };
  return { sandbox, url, env };
}

/** A fresh database on E2E_DATABASE_URL's server; returns its URL and a drop function. */
async function createPostgresDatabase(adminUrl: string, port: number): Promise<{ url: string; drop(): Promise<void> }> {
  const { Client } = await import("pg");
  const name = `sf_e2e_${port}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const again = new Client({ connectionString: adminUrl });
      await again.connect();
      try {
        await again.query(`drop database if exists ${name} with (force)`);
      } finally {
        await again.end();
      }
    },
  };
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function main(): Promise<void> {
  const root = process.cwd();
  const options = parseOptions(process.argv.slice(2), process.env);
  const appUrl = `http://localhost:${options.port}`;

  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
    throw new Error("No production build in .next/ — run `next build` first (`npm run test:e2e` does).");
  }

  const cleanups: Array<() => Promise<void> | void> = [];
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        log(`clean-up step failed: ${(error as Error).message}`);
      }
    }
  };

  let child: ChildProcess | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      setTimeout(() => child?.kill("SIGKILL"), 8_000).unref();
    } else {
      void cleanup().then(() => process.exit(0));
    }
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGHUP", () => stop("SIGHUP"));

  try {
    const sandbox = await startSandbox(root, options, appUrl);
    if (sandbox) cleanups.push(() => sandbox.close());
    const sandboxUrl = (sandbox?.url ?? `http://127.0.0.1:${options.sandboxPort}`).replace(/\/+$/, "");
    if (sandbox) log(`TikTok sandbox: ${sandboxUrl} (pkce ${options.pkce}, OAuth errors as HTTP ${options.oauthErrorStatus})`);
    const google = await startGoogle(root, options, appUrl);
    cleanups.push(() => google.sandbox.close());
    log(`Google sandbox: ${google.url}`);

    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of APP_ENV_NAMES) delete env[name];
    Object.assign(env, {
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      NEXT_PUBLIC_APP_URL: appUrl,
      TIKTOK_CLIENT_KEY: "sandbox_client_key",
      TIKTOK_CLIENT_SECRET: "sandbox_client_secret",
      TIKTOK_AUTH_URL: `${sandboxUrl}/v2/auth/authorize/`,
      TIKTOK_API_BASE_URL: sandboxUrl,
      TIKTOK_SANDBOX: "on",
      TIKTOK_PKCE_ENCODING: options.pkce,
      ...google.env,
      TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
      BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
      REFRESH_WORKER: options.analyticsInterval ? "on" : "off",
      ...(options.analyticsInterval ? { ANALYTICS_INTERVAL: options.analyticsInterval } : {}),
      // Playwright plays the proxy in front: each test presents its own client address as the one
      // X-Forwarded-For entry (tests/e2e/fixtures.ts), so tests do not share a sign-in budget.
      TRUSTED_PROXY_HOPS: "1",
    });

    const adminUrl = process.env.E2E_DATABASE_URL?.trim();
    if (adminUrl) {
      const database = await createPostgresDatabase(adminUrl, options.port);
      cleanups.push(() => database.drop());
      env.DATABASE_URL = database.url;
      log(`database: PostgreSQL ${new URL(database.url).pathname.slice(1)} (dropped at exit)`);
    } else {
      const dir = mkdtempSync(path.join(os.tmpdir(), `socialflow-e2e-${options.port}-`));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      env.PGLITE_DATA_DIR = path.join(dir, "pglite");
      log(`database: PGlite in ${env.PGLITE_DATA_DIR} (removed at exit)`);
    }

    const nextBin = createRequire(path.join(root, "package.json")).resolve("next/dist/bin/next");
    child = spawn(process.execPath, [nextBin, "start", "-p", String(options.port)], { cwd: root, env, stdio: "inherit" });
    const started = child;
    cleanups.push(() => {
      if (started.exitCode === null && started.signalCode === null) started.kill("SIGKILL");
    });
    child.on("exit", (code, signal) => {
      if (!stopping) log(`next start exited unexpectedly (${signal ?? `code ${code}`})`);
      void cleanup().then(() => process.exit(stopping ? 0 : (code ?? 1) || 1));
    });
    if (stopping) child.kill("SIGTERM");

    if (await waitForHealth(`${appUrl}/api/health`, child, 120_000)) log(`ready: ${appUrl} (sandbox ${sandboxUrl})`);
  } catch (error) {
    log(`failed to start: ${(error as Error).message}`);
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await cleanup();
    process.exit(1);
  }
}

void main();
