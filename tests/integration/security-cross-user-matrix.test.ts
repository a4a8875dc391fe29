import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { accountEvents, socialAccounts, videoUploads } from "@/lib/db/schema";
import { APP_URL, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { allAppFiles, apiRouteFiles, fillPattern, HTTP_METHODS, ID_SEGMENT, type AppFile } from "../helpers/app-routes";
import { connectTikTok, connectYouTube } from "../helpers/connect-flow";
import { ADA, ADA_BRAND } from "../../sandbox/google/tests/helpers";
import { accountRow } from "../helpers/security-kit";
import { startUpload, useTestUploadConfig } from "./upload-kit";

/**
 * Issue #11: one user can never reach another's account, its videos, uploads or events. Every
 * route under src/app/api is read from the file system; each one that names an account or an
 * upload (a `[accountId]`/`[uploadId]` segment, or an account id in its body) is driven, for
 * every method it exports, as the owner and as a second signed-in user — the second gets 404
 * with none of the owner's data and changes nothing, before and right after the owner's own
 * successful request (when caches are warm). A route or method without a driver fails here.
 */

type Ids = { accountId: string; uploadId: string; provider: string };
type Driver = {
  /** The request `who` sends for these ids (path params are filled in from the route's pattern). */
  request(who: TestBrowser, url: string, ids: Ids): Request;
  /** What the owner's own request answers (proves the driver reaches past the ownership check). */
  ownerStatus: number;
};
type RouteEntry = { drive: Partial<Record<(typeof HTTP_METHODS)[number], Driver>> } | { exempt: string };

const json = (who: TestBrowser, url: string, method: string, body: unknown) =>
  who.request(url, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** Keyed by the route's folder pattern. Every route file must be here: unknown → the test fails. */
const ROUTES: Record<string, RouteEntry> = {
  "/api/accounts/[accountId]/videos": {
    drive: { GET: { request: (who, url) => who.request(url), ownerStatus: 200 } },
  },
  "/api/accounts/[accountId]/analytics/export": {
    drive: { GET: { request: (who, url) => who.request(`${url}?range=30`), ownerStatus: 200 } },
  },
  "/api/accounts/[accountId]/uploads": {
    drive: {
      GET: { request: (who, url) => who.request(url), ownerStatus: 200 },
      POST: { request: (who, url) => json(who, url, "POST", { mode: "inbox", size: 1000 }), ownerStatus: 201 },
    },
  },
  "/api/accounts/[accountId]/uploads/[uploadId]": {
    drive: { GET: { request: (who, url) => who.request(url), ownerStatus: 200 } },
  },
  "/api/accounts/[accountId]/uploads/[uploadId]/file": {
    drive: {
      // The owner's 400 (a length other than announced) shows the request got past the ownership check.
      PUT: {
        request: (who, url) =>
          who.request(url, { method: "PUT", headers: { "content-type": "application/octet-stream", "content-length": "5" }, body: "12345" }),
        ownerStatus: 400,
      },
    },
  },
  "/api/oauth/[provider]/refresh": {
    drive: { POST: { request: (who, url, ids) => json(who, url, "POST", { accountId: ids.accountId }), ownerStatus: 200 } },
  },
  "/api/oauth/[provider]/disconnect": {
    drive: { POST: { request: (who, url, ids) => json(who, url, "POST", { accountId: ids.accountId }), ownerStatus: 200 } },
  },
  "/api/auth/[...all]": { exempt: "Better Auth's own endpoints: sessions of the caller only, no account or upload id" },
  "/api/[...unknown]": { exempt: "answers a fixed 404 for any path no route has; reads nothing" },
  "/api/health": { exempt: "no user data" },
  "/api/metrics": { exempt: "counters only, behind its own bearer token" },
  "/api/oauth/[provider]/authorize": { exempt: "starts a connect for the caller; takes no id" },
  "/api/oauth/[provider]/callback": {
    exempt: "reads only the provider's code and state (bound to the caller's session and browser); the accountId it mentions is the one it just stored for the caller",
  },
};

/** A route names an account or an upload: in its path, or in what it reads from the request. */
function takesAnId(route: AppFile): boolean {
  return ID_SEGMENT.test(route.pattern) || /\baccountId\b|\buploadId\b|readAccountIdBody/.test(route.source);
}

describe("cross-user matrix over every API route", { timeout: 120_000 }, () => {
  let h: AppHarness;
  let uploads: Awaited<ReturnType<typeof useTestUploadConfig>>;
  let owner: { id: string; browser: TestBrowser };
  let other: { id: string; browser: TestBrowser };
  /** Everything of the owner's that must never appear in the other user's answers. */
  const secrets = new Set<string>();

  beforeAll(async () => {
    h = await startAppHarness({ env: { TIKTOK_SCOPES: "user.info.basic,video.list,video.upload,video.publish", RATE_LIMIT_PER_MINUTE: "1000" } });
    uploads = await useTestUploadConfig();
    const a = await h.signUp("matrix-owner");
    owner = { id: a.id, browser: new TestBrowser(a.cookie) };
    const b = await h.signUp("matrix-other");
    other = { id: b.id, browser: new TestBrowser(b.cookie) };
    // The other user has an account of their own: their answers are not empty by accident.
    await connectTikTok(other.browser, { openId: "sbx-cleo-0003" });
    await connectYouTube(other.browser, { account: ADA_BRAND });
    secrets.add(owner.id);
  }, 120_000);
  afterAll(async () => {
    await uploads?.cleanup();
    await h?.close();
  }, 60_000);

  /** The owner's account (connected again if a disconnect removed it) and a fresh upload of it. */
  let accountId: string | undefined;
  async function ownerData(): Promise<Ids> {
    if (!accountId || !(await accountRow(h.db, accountId))) {
      accountId = await connectTikTok(owner.browser, { openId: "sbx-ava-0001" });
      const row = await accountRow(h.db, accountId);
      secrets.add(accountId);
      secrets.add(row!.displayName);
      secrets.add(row!.platformUserId);
    }
    // An announced upload holds one of the user's 2 in-progress places (S53) for two minutes:
    // the previous route's upload is done with, so it is ended here to free its place.
    await h.db
      .update(videoUploads)
      .set({ state: "FAILED", errorCode: "matrix_done", completedAt: new Date() })
      .where(and(eq(videoUploads.userId, owner.id), eq(videoUploads.state, "AWAITING_FILE")));
    const started = await startUpload(owner.browser, accountId, { mode: "inbox", size: 1000 });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    secrets.add(started.body.upload!.id);
    return { accountId, uploadId: started.body.upload!.id, provider: "tiktok" };
  }

  /** The owner's YouTube channel (connected again if a disconnect removed it). */
  let channelAccountId: string | undefined;
  async function ownerYouTubeData(): Promise<Ids> {
    if (!channelAccountId || !(await accountRow(h.db, channelAccountId))) {
      channelAccountId = await connectYouTube(owner.browser, { account: ADA });
      const row = await accountRow(h.db, channelAccountId);
      secrets.add(channelAccountId);
      secrets.add(row!.displayName);
      secrets.add(row!.platformUserId);
    }
    // The Refresh button's minute (a connect counts as a refresh) would answer before the provider.
    await h.db.update(socialAccounts).set({ lastRefreshedAt: new Date(Date.now() - 120_000) }).where(eq(socialAccounts.id, channelAccountId));
    return { accountId: channelAccountId, uploadId: "none", provider: "youtube" };
  }

  /** The owner's rows that the other user's request must leave exactly as they were. */
  async function ownerRows(id: string): Promise<string> {
    const [account, uploadRows, events] = await Promise.all([
      h.db.select().from(socialAccounts).where(eq(socialAccounts.id, id)),
      h.db.select().from(videoUploads).where(eq(videoUploads.accountId, id)).orderBy(videoUploads.id),
      h.db.select().from(accountEvents).where(eq(accountEvents.accountId, id)).orderBy(accountEvents.id),
    ]);
    return JSON.stringify({ account, uploadRows, events });
  }

  function expectNoneOfTheOwners(text: string, what: string) {
    for (const secret of secrets) expect(text.includes(secret), `${what} answered with the owner's ${JSON.stringify(secret)}`).toBe(false);
  }

  it("S42: every route file is classified, and none that takes an account or upload id is exempt", () => {
    const files = apiRouteFiles();
    expect(files.length).toBeGreaterThan(0);
    const onDisk = new Set(files.map((f) => f.pattern));
    for (const route of files) {
      const entry = ROUTES[route.pattern];
      expect(entry, `${route.pattern} is not in the cross-user matrix: add a driver for it in ${__filename}`).toBeDefined();
      if (entry && "exempt" in entry && takesAnId(route)) {
        expect(route.pattern === "/api/oauth/[provider]/callback", `${route.pattern} takes an account or upload id and must be driven, not exempt`).toBe(true);
      }
    }
    for (const pattern of Object.keys(ROUTES)) expect(onDisk.has(pattern), `${pattern} is in the matrix but not on disk`).toBe(true);
  });

  it("S42: routes and pages reach account data only through the owner-scoped accessor", () => {
    for (const file of allAppFiles()) {
      // No table or query builder in src/app: rows are reached through services and accountsOf.
      expect(file.source, file.file).not.toMatch(/from "(drizzle-orm[^"]*|@\/lib\/db\/schema)"/);
      if (ID_SEGMENT.test(file.pattern) && /\/(route|page)\.tsx?$/.test(file.file)) {
        expect(file.source, `${file.file} must look the account up with accountsOf(db, user.id)`).toMatch(/accountsOf\(/);
      }
    }
  });

  const routes = apiRouteFiles();
  // Everything not exempt (the test above keeps exemptions honest); an unknown route is here too and fails.
  const driven = routes.filter((r) => !(ROUTES[r.pattern] && "exempt" in ROUTES[r.pattern]!));
  /** Drives every method of a route as the other user, then the owner, then the other user again. */
  async function driveRoute(route: AppFile, data: () => Promise<Ids>) {
    const entry = ROUTES[route.pattern];
    if (!entry || !("drive" in entry)) throw new Error(`no cross-user driver for ${route.pattern}: add one to ROUTES in this file`);
    const handlers = (await import(route.file)) as Record<string, (request: Request, context: unknown) => Promise<Response>>;
    const methods = HTTP_METHODS.filter((m) => typeof handlers[m] === "function");
    expect(methods.length, `${route.pattern} exports no method`).toBeGreaterThan(0);
    for (const method of methods) {
      const driver = entry.drive[method];
      if (!driver) throw new Error(`no cross-user driver for ${method} ${route.pattern}: add one to ROUTES in this file`);
      const ids = await data();
      const url = `${APP_URL}${fillPattern(route.pattern, ids)}`;
      const params = Object.fromEntries([...route.pattern.matchAll(/\[(\w+)\]/g)].map(([, name]) => [name, ids[name as keyof Ids]]));
      const send = (who: TestBrowser) => handlers[method]!(driver.request(who, url, ids), { params: Promise.resolve(params) });

      const otherTries = async (when: string) => {
        const before = await ownerRows(ids.accountId);
        const response = await send(other.browser);
        const text = await response.text();
        expect(response.status, `${method} ${route.pattern} by another user ${when}: ${text}`).toBe(404);
        expectNoneOfTheOwners(text, `${method} ${route.pattern} ${when}`);
        expect(await ownerRows(ids.accountId), `${method} ${route.pattern} by another user ${when} changed the owner's rows`).toBe(before);
      };

      await otherTries("before the owner");
      const mine = await send(owner.browser);
      const mineText = await mine.text();
      expect(mine.status, `${method} ${route.pattern} by the owner: ${mineText}`).toBe(driver.ownerStatus);
      // Titles and ids of the owner's videos join what must never leak.
      if (mine.status === 200 && route.pattern.endsWith("/videos")) {
        for (const video of (JSON.parse(mineText) as { videos: { id: string; title: string }[] }).videos) {
          secrets.add(video.id);
          secrets.add(video.title);
        }
      }
      await otherTries("right after the owner");
    }
  }

  it.each(driven.map((r) => [r.pattern, r] as const))("S42: %s — another user gets 404 and none of the owner's data, before and right after the owner", async (_, route) => {
    await driveRoute(route, ownerData);
  });

  // The routes a YouTube channel reaches (uploads are TikTok's only: YouTube has no upload capability).
  const YOUTUBE_ROUTES = new Set(["/api/accounts/[accountId]/videos", "/api/accounts/[accountId]/analytics/export", "/api/oauth/[provider]/refresh", "/api/oauth/[provider]/disconnect"]);
  it.each(driven.filter((r) => YOUTUBE_ROUTES.has(r.pattern)).map((r) => [r.pattern, r] as const))(
    "S42: %s with a YouTube channel — another user gets 404 and none of the owner's data, before and right after the owner",
    async (_, route) => {
      await driveRoute(route, ownerYouTubeData);
    },
  );
});
