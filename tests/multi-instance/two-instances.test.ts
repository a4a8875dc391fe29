import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { startTikTokSandbox } from "../../sandbox/tiktok/index";
import { decideAtSandbox } from "../helpers/app-harness";
import { hasProductionBuild, startAppProcess } from "../helpers/app-process";

/**
 * Two `next start` instances behind one PostgreSQL and one Redis (issue #7): a connect flow
 * started on one finishes on the other, a refresh on one and a disconnect on the other never
 * resurrect an account, and the per-user budget holds across both. Needs a production build
 * (`next build`), TEST_DATABASE_URL and TEST_REDIS_URL; `.ci/run` runs it after the e2e build.
 */
const adminUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
const PUBLIC_URL = "http://localhost:3301";
const PER_MINUTE = 4;

describe.skipIf(!adminUrl || !redisUrl || !hasProductionBuild())("two app instances sharing PostgreSQL and Redis", () => {
  let sandbox: Awaited<ReturnType<typeof startTikTokSandbox>>;
  let a: Awaited<ReturnType<typeof startAppProcess>>;
  let b: Awaited<ReturnType<typeof startAppProcess>>;
  let dbName: string;
  let dbUrl: string;

  beforeAll(async () => {
    dbName = `sf_multi_${randomBytes(4).toString("hex")}`;
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const url = new URL(adminUrl!);
    url.pathname = `/${dbName}`;
    dbUrl = url.toString();
    sandbox = await startTikTokSandbox({ port: 0, redirectUris: [`${PUBLIC_URL}/api/oauth/tiktok/callback`] });
    const env = {
      DATABASE_URL: dbUrl,
      REDIS_URL: redisUrl!,
      NEXT_PUBLIC_APP_URL: PUBLIC_URL,
      TOKEN_ENCRYPTION_KEYS: `m1:${randomBytes(32).toString("base64")}`,
      BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
      TIKTOK_CLIENT_KEY: "sandbox_client_key",
      TIKTOK_CLIENT_SECRET: "sandbox_client_secret",
      TIKTOK_AUTH_URL: `${sandbox.url}/v2/auth/authorize/`,
      TIKTOK_API_BASE_URL: sandbox.url,
      REFRESH_WORKER: "off",
      RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
      LOG_LEVEL: "warn",
    };
    // Both start together: migrations run under an advisory lock.
    [a, b] = await Promise.all([startAppProcess({ port: 3301, env }), startAppProcess({ port: 3302, env })]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await sandbox?.close();
    if (dbName) {
      const admin = new Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  }, 60_000);

  /** A browser whose requests may go to either instance, as behind a load balancer. */
  function browser() {
    const jar = new Map<string, string>();
    return async (base: string, path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set("origin", PUBLIC_URL);
      if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
      const response = await fetch(`${base}${path}`, { ...init, headers, redirect: "manual" });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(";");
        const i = pair!.indexOf("=");
        jar.set(pair!.slice(0, i), pair!.slice(i + 1));
      }
      return response;
    };
  }

  /** Each test connects its own seeded TikTok user: one TikTok account links to one SocialFlow user. */
  async function signUpAndConnect(go: ReturnType<typeof browser>, start: string, finish: string, openId: string) {
    const email = `multi-${randomBytes(4).toString("hex")}@example.test`;
    const signUp = await go(start, "/api/auth/sign-up/email", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "correct-horse-battery", name: "Multi" }),
    });
    expect(signUp.status).toBe(200);
    const authorize = await go(start, "/api/oauth/tiktok/authorize", { method: "POST" });
    expect(authorize.status).toBe(200);
    const { url } = (await authorize.json()) as { url: string };
    const callback = new URL(await decideAtSandbox(url, { openId }));
    const done = await go(finish, `${callback.pathname}${callback.search}`);
    expect(done.status).toBe(303);
    const location = new URL(done.headers.get("location")!);
    expect(location.searchParams.get("error")).toBeNull();
    return location.searchParams.get("account")!;
  }

  it("a connect flow started on one instance finishes on the other", async () => {
    const go = browser();
    const accountId = await signUpAndConnect(go, a.url, b.url, "sbx-ava-0001");
    expect(accountId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a refresh on one and a disconnect on the other never resurrect the account", async () => {
    const go = browser();
    const accountId = await signUpAndConnect(go, a.url, b.url, "sbx-ben-0002");
    // A token older than the Refresh button's minute, so this refresh really calls TikTok.
    const aging = new Client({ connectionString: dbUrl });
    await aging.connect();
    await aging.query("update social_accounts set last_refreshed_at = now() - interval '2 minutes' where id = $1", [accountId]);
    await aging.end();
    sandbox.control.queueFault("token", { kind: "delay", ms: 400 });
    const json = (id: string) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ accountId: id }) });
    const [refresh, disconnect] = await Promise.all([
      go(a.url, "/api/oauth/tiktok/refresh", json(accountId)),
      new Promise<Response>((r) => setTimeout(() => r(go(b.url, "/api/oauth/tiktok/disconnect", json(accountId))), 100)),
    ]);
    expect(disconnect.status).toBe(200);
    expect([200, 404]).toContain(refresh.status);
    await new Promise((r) => setTimeout(r, 600));
    const db = new Client({ connectionString: dbUrl });
    await db.connect();
    const rows = await db.query("select id from social_accounts where id = $1", [accountId]);
    await db.end();
    expect(rows.rowCount).toBe(0);
    // And a second disconnect on the other instance is idempotent.
    expect((await go(a.url, "/api/oauth/tiktok/disconnect", json(accountId))).status).toBe(200);
  });

  it("the per-user budget holds across both instances", async () => {
    const go = browser();
    const accountId = await signUpAndConnect(go, a.url, a.url, "sbx-cleo-0003");
    const statuses: number[] = [];
    for (let i = 0; i < PER_MINUTE + 1; i++) {
      const instance = i % 2 === 0 ? a.url : b.url;
      statuses.push((await go(instance, `/api/accounts/${accountId}/videos?cursor=${i + 1}`)).status);
    }
    expect(statuses.slice(0, PER_MINUTE)).toEqual(Array(PER_MINUTE).fill(200));
    expect(statuses[PER_MINUTE]).toBe(429);
  });
});
