/**
 * `npm run test:pg`: the database-touching tests on a real PostgreSQL and Redis instead of PGlite
 * and in-process limiters.
 *
 *   npm run test:pg                                   # defaults below
 *   TEST_DATABASE_URL=postgres://... npm run test:pg  # another server (its user must be able to CREATE DATABASE)
 *   npm run test:pg -- --reporter=json --outputFile.json=out.json   # extra args go to `vitest run`
 *
 * Each test file makes (and drops) its own database on that server (tests/helpers/test-db.ts).
 * Both services are checked first so that a stopped server fails with a clear message, not with
 * a pile of connection errors.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";

/** The one list of what runs against real services (paths or vitest filters, from the repo root). */
export const REAL_SERVICE_TEST_PATHS = ["tests/integration", "src/lib/crypto/reencrypt.test.ts"];

const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";
const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

const say = (message: string) => console.error(`[test:pg] ${message}`);

async function checkPostgres(url: string): Promise<string | undefined> {
  const { Client } = await import("pg");
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const res = await client.query<{ version: string }>("select current_setting('server_version') as version");
    return res.rows[0]?.version;
  } finally {
    await client.end().catch(() => {});
  }
}

/** PING over RESP with a plain socket (no client library state to clean up). */
function checkRedis(url: string): Promise<void> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: u.hostname || "127.0.0.1", port: Number(u.port || 6379) });
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(5_000, () => fail(new Error("timed out")));
    socket.once("error", fail);
    socket.once("connect", () => {
      const auth = u.password ? `AUTH ${u.username ? `${decodeURIComponent(u.username)} ` : ""}${decodeURIComponent(u.password)}\r\n` : "";
      socket.write(`${auth}PING\r\n`);
    });
    let buffer = "";
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      if (buffer.includes("+PONG")) {
        socket.end();
        resolve();
      } else if (buffer.startsWith("-") || buffer.includes("\r\n-")) {
        fail(new Error(buffer.trim()));
      }
    });
  });
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

async function main(): Promise<number> {
  const root = process.cwd();
  const databaseUrl = process.env.TEST_DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
  const redisUrl = process.env.TEST_REDIS_URL?.trim() || DEFAULT_REDIS_URL;

  try {
    const version = await checkPostgres(databaseUrl);
    say(`PostgreSQL ${version ?? "?"} at ${redact(databaseUrl)}`);
  } catch (error) {
    say(`PostgreSQL is not reachable at ${redact(databaseUrl)}: ${(error as Error).message}`);
    say("Start it (e.g. `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`) or set TEST_DATABASE_URL.");
    return 2;
  }
  try {
    await checkRedis(redisUrl);
    say(`Redis at ${redact(redisUrl)}`);
  } catch (error) {
    say(`Redis is not reachable at ${redact(redisUrl)}: ${(error as Error).message}`);
    say("Start it (e.g. `redis-server --daemonize yes --port 6379`) or set TEST_REDIS_URL.");
    return 2;
  }

  const paths = REAL_SERVICE_TEST_PATHS.filter((p) => {
    const ok = existsSync(path.join(root, p));
    if (!ok) say(`skipping ${p}: not found`);
    return ok;
  });
  if (paths.length === 0) {
    say(`none of ${REAL_SERVICE_TEST_PATHS.join(", ")} exists`);
    return 2;
  }

  // `vitest/vitest.mjs` is not in vitest's exports map; its package.json is, and the bin sits beside it.
  const vitestPackage = createRequire(path.join(root, "package.json")).resolve("vitest/package.json");
  const vitest = path.join(path.dirname(vitestPackage), "vitest.mjs");
  const args = [vitest, "run", ...paths, ...process.argv.slice(2)];
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, TEST_DATABASE_URL: databaseUrl, TEST_REDIS_URL: redisUrl, NEXT_TELEMETRY_DISABLED: "1" },
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
