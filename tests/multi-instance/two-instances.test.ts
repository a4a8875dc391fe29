import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { startTikTokSandbox } from "../../sandbox/tiktok/index";
import { DEFAULT_CLIENT as GOOGLE_CLIENT, startGoogleSandbox } from "../../sandbox/google/index";
import { ADA, ADA_BRAND, BEN, consent } from "../../sandbox/google/tests/helpers";
import { createTokenCipher, parseKeyring } from "@/lib/crypto";
import { tokenAad } from "@/lib/connections/account-store";
import { decideAtSandbox } from "../helpers/app-harness";
import { hasProductionBuild, startAppProcess } from "../helpers/app-process";

/**
 * Two `next start` instances behind one PostgreSQL and one Redis (issue #7): a connect flow
 * started on one finishes on the other, a refresh on one and a disconnect on the other never
 * resurrect an account, and the per-user budget holds across both — for TikTok and for YouTube
 * (through the Google sandbox, whose refresh tokens do not rotate). Needs a production build
 * (`next build`), TEST_DATABASE_URL and TEST_REDIS_URL; `.ci/run` runs it after the e2e build.
 */
const adminUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
// Ports of their own (e2e uses 3200–3299 and 4011–4032).
const PORT_A = 3351;
const PORT_B = 3352;
const PUBLIC_URL = `http://localhost:${PORT_A}`;
const PER_MINUTE = 4;

describe.skipIf(!adminUrl || !redisUrl || !hasProductionBuild())("two app instances sharing PostgreSQL and Redis", () => {
  let sandbox: Awaited<ReturnType<typeof startTikTokSandbox>>;
  let google: Awaited<ReturnType<typeof startGoogleSandbox>>;
  let cipher: ReturnType<typeof createTokenCipher>;
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
    google = await startGoogleSandbox({ port: 0, redirectUris: [`${PUBLIC_URL}/api/oauth/youtube/callback`] });
    const keys = `m1:${randomBytes(32).toString("base64")}`;
    cipher = createTokenCipher(parseKeyring(keys));
    const env = {
      DATABASE_URL: dbUrl,
      REDIS_URL: redisUrl!,
      NEXT_PUBLIC_APP_URL: PUBLIC_URL,
      TOKEN_ENCRYPTION_KEYS: keys,
      BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
      TIKTOK_CLIENT_KEY: "sandbox_client_key",
      TIKTOK_CLIENT_SECRET: "sandbox_client_secret",
      TIKTOK_AUTH_URL: `${sandbox.url}/v2/auth/authorize/`,
      TIKTOK_API_BASE_URL: sandbox.url,
      GOOGLE_CLIENT_ID: GOOGLE_CLIENT.clientId,
      GOOGLE_CLIENT_SECRET: GOOGLE_CLIENT.clientSecret,
      GOOGLE_AUTH_URL: `${google.url}/o/oauth2/v2/auth`,
      GOOGLE_TOKEN_URL: `${google.url}/token`,
      GOOGLE_REVOKE_URL: `${google.url}/revoke`,
      YOUTUBE_API_BASE_URL: google.url,
      REFRESH_WORKER: "off",
      RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
      LOG_LEVEL: "warn",
      // Each test's browser is its own client address (X-Forwarded-For as the one proxy sets it):
      // Better Auth allows a few sign-ups per address in ten seconds, and this file signs up six.
      TRUSTED_PROXY_HOPS: "1",
    };
    // Both start together: migrations run under an advisory lock.
    [a, b] = await Promise.all([startAppProcess({ port: PORT_A, env }), startAppProcess({ port: PORT_B, env })]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await sandbox?.close();
    await google?.close();
    if (dbName) {
      const admin = new Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  }, 60_000);

  let browsers = 0;
  /** A browser whose requests may go to either instance, as behind a load balancer. */
  function browser() {
    const jar = new Map<string, string>();
    const address = `10.0.0.${++browsers}`;
    return async (base: string, path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set("origin", PUBLIC_URL);
      headers.set("x-forwarded-for", address);
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

  /**
   * Signs up, then connects a YouTube channel: authorize on `start`, the Google sandbox's chooser
   * and consent screen, the callback on `finish`. Each test picks its own Google account (a
   * channel links to one SocialFlow user).
   */
  async function signUpAndConnectYouTube(go: ReturnType<typeof browser>, start: string, finish: string, account: string) {
    const email = `multi-yt-${randomBytes(4).toString("hex")}@example.test`;
    const signUp = await go(start, "/api/auth/sign-up/email", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "correct-horse-battery", name: "Multi" }),
    });
    expect(signUp.status).toBe(200);
    const authorize = await go(start, "/api/oauth/youtube/authorize", { method: "POST" });
    expect(authorize.status).toBe(200);
    const url = new URL(((await authorize.json()) as { url: string }).url);
    const step = await consent(url.origin, url.searchParams, { account });
    expect(step.status).toBe(302);
    const callback = new URL(step.location!);
    const done = await go(finish, `${callback.pathname}${callback.search}`);
    expect(done.status).toBe(303);
    const location = new URL(done.headers.get("location")!);
    expect(location.searchParams.get("error")).toBeNull();
    expect(location.searchParams.get("success")).toBe("youtube");
    return location.searchParams.get("account")!;
  }

  const json = (id: string) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ accountId: id }) });

  async function query<T extends Record<string, unknown>>(text: string, values: unknown[]): Promise<T[]> {
    const db = new Client({ connectionString: dbUrl });
    await db.connect();
    try {
      return (await db.query<T>(text, values)).rows;
    } finally {
      await db.end();
    }
  }

  /** A token (and a last Refresh press) older than the Refresh button's minute, so the next refresh really calls the provider. */
  const age = (accountId: string) =>
    query(
      "update social_accounts set last_refreshed_at = now() - interval '2 minutes', manual_refresh_at = now() - interval '2 minutes' where id = $1",
      [accountId],
    );

  async function storedTokens(accountId: string) {
    const [row] = await query<{ access_token: string; refresh_token: string | null; status: string }>(
      "select access_token, refresh_token, status from social_accounts where id = $1",
      [accountId],
    );
    if (!row) return undefined;
    return {
      status: row.status,
      accessToken: cipher.decrypt(row.access_token, tokenAad(accountId, "access_token")),
      refreshToken: row.refresh_token === null ? null : cipher.decrypt(row.refresh_token, tokenAad(accountId, "refresh_token")),
    };
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
  describe("YouTube (Google OAuth 2.0 through the Google sandbox)", () => {
    it("a YouTube connect started on one instance finishes on the other", async () => {
      const go = browser();
      const accountId = await signUpAndConnectYouTube(go, a.url, b.url, ADA);
      expect(accountId).toMatch(/^[0-9a-f-]{36}$/);
      const [row] = await query<{ platform: string; status: string }>("select platform, status from social_accounts where id = $1", [accountId]);
      expect(row).toEqual({ platform: "YOUTUBE", status: "ACTIVE" });
    });

    it("a refresh on one and a disconnect on the other never resurrect the channel", async () => {
      const go = browser();
      const accountId = await signUpAndConnectYouTube(go, a.url, b.url, BEN);
      const { refreshToken } = (await storedTokens(accountId))!;
      await age(accountId);
      google.control.queueFault("token", { kind: "delay", ms: 400 });
      const [refresh, disconnect] = await Promise.all([
        go(a.url, "/api/oauth/youtube/refresh", json(accountId)),
        new Promise<Response>((r) => setTimeout(() => r(go(b.url, "/api/oauth/youtube/disconnect", json(accountId))), 100)),
      ]);
      expect(disconnect.status).toBe(200);
      expect([200, 404]).toContain(refresh.status);
      await new Promise((r) => setTimeout(r, 600));
      expect(await query("select id from social_accounts where id = $1", [accountId])).toEqual([]);
      // The grant is gone at Google too: revoking a token ends the whole grant.
      expect(google.control.tokenState(refreshToken!)).toBe("revoked");
      expect((await go(a.url, "/api/oauth/youtube/disconnect", json(accountId))).status).toBe(200);
    });

    it("refreshes on both instances keep Google's refresh token (it does not rotate) and get new access tokens", async () => {
      const go = browser();
      const accountId = await signUpAndConnectYouTube(go, a.url, a.url, ADA_BRAND);
      const connected = (await storedTokens(accountId))!;
      expect(connected.refreshToken).toBeTruthy();
      const grantsBefore = google.control.counters().tokenByGrant.refresh_token ?? 0;
      const accessTokens = [connected.accessToken];
      // One refresh on each instance (the per-user budget, PER_MINUTE, covers the connect and these two).
      for (const instance of [a.url, b.url]) {
        await age(accountId);
        const response = await go(instance, "/api/oauth/youtube/refresh", json(accountId));
        expect(response.status).toBe(200);
        const now = (await storedTokens(accountId))!;
        expect(now.status).toBe("ACTIVE");
        expect(now.refreshToken).toBe(connected.refreshToken);
        accessTokens.push(now.accessToken);
      }
      expect(google.control.counters().tokenByGrant.refresh_token - grantsBefore).toBe(2);
      expect(new Set(accessTokens).size).toBe(3);
      expect(google.control.tokenState(connected.refreshToken!)).toBe("valid");
    });
  });
});
