import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { startTikTokSandbox } from "../../sandbox/tiktok/index";
import { decideAtSandbox } from "../helpers/app-harness";
import { hasProductionBuild, startAppProcess, type AppProcess } from "../helpers/app-process";
import { appPageFiles, fillPattern, ID_SEGMENT } from "../helpers/app-routes";

/**
 * Issue #11, the page half of the cross-user matrix: every page under src/app/(app) whose path
 * names an account or an upload is read from the file system and opened through a real
 * `next start` on PostgreSQL, by its owner and by a second signed-in user. The second gets a
 * 404 page with none of the owner's data, also right after the owner loaded the same page
 * (warm caches). A page the table below does not know fails the test. Needs a production
 * build and TEST_DATABASE_URL; `.ci/run` runs it after the e2e build (`npm run test:multi`).
 */
const adminUrl = process.env.TEST_DATABASE_URL;
const PORT = 4317;
const PUBLIC_URL = `http://localhost:${PORT}`;

type Fixture = { accountId: string; uploadId: string; displayName: string; videoTitles: string[] };

/** Keyed by the page's folder pattern: what its owner must see on it (so the page really rendered). */
const PAGES: Record<string, { ownerSees: (f: Fixture) => string[] }> = {
  "/accounts/[accountId]/videos": { ownerSees: (f) => [`Recent videos · ${f.displayName}`, f.videoTitles[0]!] },
  "/accounts/[accountId]/upload": { ownerSees: (f) => [`Upload a video · ${f.displayName}`] },
  "/accounts/[accountId]/analytics": { ownerSees: (f) => [`Analytics · ${f.displayName}`, "Download CSV"] },
};

/** HTML escapes React applies to text, so a title is found as the page shows it. */
const asHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");

describe.skipIf(!adminUrl || !hasProductionBuild())("cross-user matrix over every account page (next start)", () => {
  let sandbox: Awaited<ReturnType<typeof startTikTokSandbox>>;
  let app: AppProcess;
  let dbName: string;
  let owner: ReturnType<typeof browser>;
  let other: ReturnType<typeof browser>;
  let fixture: Fixture;

  /** A browser: a cookie jar, same-origin requests, redirects not followed. */
  function browser() {
    const jar = new Map<string, string>();
    return async (path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set("origin", PUBLIC_URL);
      if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
      const response = await fetch(`${app.url}${path}`, { ...init, headers, redirect: "manual" });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(";");
        const i = pair!.indexOf("=");
        jar.set(pair!.slice(0, i), pair!.slice(i + 1));
      }
      return response;
    };
  }

  async function signUpAndConnect(go: ReturnType<typeof browser>, openId: string): Promise<string> {
    const signUp = await go("/api/auth/sign-up/email", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: `pages-${randomBytes(4).toString("hex")}@example.test`, password: "correct-horse-battery", name: "Pages" }),
    });
    expect(signUp.status).toBe(200);
    const authorize = await go("/api/oauth/tiktok/authorize", { method: "POST" });
    expect(authorize.status).toBe(200);
    const callback = new URL(await decideAtSandbox(((await authorize.json()) as { url: string }).url, { openId }));
    const done = await go(`${callback.pathname}${callback.search}`);
    expect(done.status).toBe(303);
    const account = new URL(done.headers.get("location")!).searchParams.get("account");
    expect(account).toBeTruthy();
    return account!;
  }

  beforeAll(async () => {
    dbName = `sf_pages_${randomBytes(4).toString("hex")}`;
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const dbUrl = new URL(adminUrl!);
    dbUrl.pathname = `/${dbName}`;
    sandbox = await startTikTokSandbox({ port: 0, redirectUris: [`${PUBLIC_URL}/api/oauth/tiktok/callback`] });
    app = await startAppProcess({
      port: PORT,
      env: {
        DATABASE_URL: dbUrl.toString(),
        NEXT_PUBLIC_APP_URL: PUBLIC_URL,
        TOKEN_ENCRYPTION_KEYS: `p1:${randomBytes(32).toString("base64")}`,
        BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
        TIKTOK_CLIENT_KEY: "sandbox_client_key",
        TIKTOK_CLIENT_SECRET: "sandbox_client_secret",
        TIKTOK_AUTH_URL: `${sandbox.url}/v2/auth/authorize/`,
        TIKTOK_API_BASE_URL: sandbox.url,
        TIKTOK_SCOPES: "user.info.basic,video.list,video.upload,video.publish",
        REFRESH_WORKER: "off",
        RATE_LIMIT_PER_MINUTE: "1000",
        LOG_LEVEL: "warn",
      },
    });
    owner = browser();
    other = browser();
    const accountId = await signUpAndConnect(owner, "sbx-ava-0001");
    // The other user has an account of their own: a 404 is not an empty app by accident.
    await signUpAndConnect(other, "sbx-ben-0002");
    const videos = await owner(`/api/accounts/${accountId}/videos`);
    expect(videos.status).toBe(200);
    const videoTitles = ((await videos.json()) as { videos: { title: string }[] }).videos.map((v) => v.title);
    expect(videoTitles.length).toBeGreaterThan(0);
    const started = await owner(`/api/accounts/${accountId}/uploads`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mode: "inbox", size: 1000 }),
    });
    expect(started.status).toBe(201);
    const uploadId = ((await started.json()) as { upload: { id: string } }).upload.id;
    fixture = { accountId, uploadId, displayName: "Ava Sandbox", videoTitles };
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
    await sandbox?.close();
    if (dbName) {
      const admin = new Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  }, 60_000);

  const pages = appPageFiles().filter((p) => ID_SEGMENT.test(p.pattern));

  it("S43: the pages that name an account or upload are all in the matrix", () => {
    expect(pages.length).toBeGreaterThan(0);
    for (const page of pages) expect(PAGES[page.pattern], `${page.pattern} is not in the page matrix: add it to PAGES in ${__filename}`).toBeDefined();
    for (const pattern of Object.keys(PAGES)) expect(pages.some((p) => p.pattern === pattern), `${pattern} is in PAGES but not on disk`).toBe(true);
  });

  it.each(pages.map((p) => [p.pattern] as const))("S43: %s — another user gets a 404 page without the owner's data, before and right after the owner", async (pattern) => {
    const entry = PAGES[pattern];
    if (!entry) throw new Error(`no page driver for ${pattern}: add it to PAGES in this file`);
    const path = fillPattern(pattern, { accountId: fixture.accountId, uploadId: fixture.uploadId });
    const secrets = [fixture.displayName, ...fixture.videoTitles, fixture.uploadId].flatMap((s) => [s, asHtml(s)]);

    const otherOpens = async (when: string) => {
      const response = await other(path);
      const html = (await response.text()).replaceAll("<!-- -->", "");
      expect(response.status, `${pattern} for another user ${when}`).toBe(404);
      for (const secret of secrets) expect(html.includes(secret), `${pattern} for another user ${when} shows the owner's ${JSON.stringify(secret)}`).toBe(false);
    };

    await otherOpens("before the owner");
    const mine = await owner(path);
    // React separates adjacent text with <!-- -->: the text as a person reads it.
    const html = (await mine.text()).replaceAll("<!-- -->", "");
    expect(mine.status, `${pattern} for its owner`).toBe(200);
    for (const text of entry.ownerSees(fixture)) expect(html, `${pattern} for its owner`).toContain(asHtml(text));
    await otherOpens("right after the owner");
  });
});
