import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { GET as videosRoute } from "@/app/api/accounts/[accountId]/videos/route";
import { socialAccounts } from "@/lib/db/schema";
import { getTikTokServices } from "@/lib/services";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { TikTokCallError } from "@/lib/providers/tiktok/call-errors";
import { APP_URL, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { connectTikTok } from "../helpers/connect-flow";

const PER_MINUTE = 3;

describe("TikTok API client through the videos route", () => {
  let h: AppHarness;
  let alice: { id: string; browser: TestBrowser; accountId: string };
  let bob: { id: string; browser: TestBrowser; accountId: string };

  beforeAll(async () => {
    h = await startAppHarness({ env: { RATE_LIMIT_PER_MINUTE: String(PER_MINUTE), RATE_LIMIT_PER_DAY: "1000" } });
    const a = await h.signUp("alice");
    const aBrowser = new TestBrowser(a.cookie);
    alice = { id: a.id, browser: aBrowser, accountId: await connectTikTok(aBrowser, { openId: "sbx-ava-0001" }) };
    const b = await h.signUp("bob");
    const bBrowser = new TestBrowser(b.cookie);
    bob = { id: b.id, browser: bBrowser, accountId: await connectTikTok(bBrowser, { openId: "sbx-ben-0002" }) };
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    // Fresh services (budget, caches) per test; the sandbox keeps its tokens.
    h.install();
    h.sandbox.control.clearFaults();
  });

  const listVideos = (who: { browser: TestBrowser; accountId: string }, cursor?: number) =>
    videosRoute(who.browser.request(`${APP_URL}/api/accounts/${who.accountId}/videos${cursor === undefined ? "" : `?cursor=${cursor}`}`), {
      params: Promise.resolve({ accountId: who.accountId }),
    });

  it("returns a page of videos with stats and a cursor", async () => {
    const response = await listVideos(alice);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { videos: { id: string; views: number }[]; nextCursor: string | null };
    expect(body.videos.length).toBeGreaterThan(0);
    expect(typeof body.videos[0]!.views).toBe("number");
    expect(body.nextCursor).not.toBeNull();
  });

  it("serves a reload from the short cache without spending the budget", async () => {
    const before = h.sandbox.control.counters().video_list;
    await listVideos(alice);
    await listVideos(alice);
    expect(h.sandbox.control.counters().video_list - before).toBe(1);
  });

  it("S35: over SocialFlow's own budget → local 429 with Retry-After and no call to TikTok; other users unaffected", async () => {
    for (let i = 1; i <= PER_MINUTE; i++) expect((await listVideos(alice, i)).status).toBe(200);
    const before = h.sandbox.control.counters().video_list;
    const refused = await listVideos(alice, 99);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await refused.json()) as { code: string }).code).toBe("budget_exceeded");
    expect(h.sandbox.control.counters().video_list).toBe(before);
    expect((await listVideos(bob, 1)).status).toBe(200);
  });

  it("S35: TikTok's 429 → backoff and the account stays ACTIVE", async () => {
    h.sandbox.control.queueFault("video_list", { kind: "api_error", code: "rate_limit_exceeded", status: 429 });
    const response = await listVideos(alice, 5);
    expect(response.status).toBe(429);
    expect(((await response.json()) as { code: string }).code).toBe("rate_limited");
    // Backing off: the next call does not reach TikTok.
    const before = h.sandbox.control.counters().video_list;
    expect((await listVideos(alice, 6)).status).toBe(429);
    expect(h.sandbox.control.counters().video_list).toBe(before);
    const [row] = await h.db.select().from(socialAccounts).where(eq(socialAccounts.id, alice.accountId));
    expect(row!.status).toBe("ACTIVE");
  });

  it("S36: access_token_invalid → one forced refresh and one retry", async () => {
    const counters = h.sandbox.control.counters();
    h.sandbox.control.queueFault("video_list", { kind: "api_error", code: "access_token_invalid", status: 401 });
    const { api } = await getTikTokServices();
    const page = await api.listVideos((await accountsOf(h.db, bob.id).get(bob.accountId))!, { cursor: 7 });
    expect(Array.isArray(page.videos)).toBe(true);
    const after = h.sandbox.control.counters();
    expect(after.tokenByGrant.refresh_token - counters.tokenByGrant.refresh_token).toBe(1);
    expect(after.video_list - counters.video_list).toBe(2);
  });

  it("S36: access_token_invalid again after the refresh → reconnect, never a loop", async () => {
    const counters = h.sandbox.control.counters();
    h.sandbox.control.queueFault("video_list", { kind: "api_error", code: "access_token_invalid", status: 401 }, 5);
    const { api } = await getTikTokServices();
    const account = (await accountsOf(h.db, bob.id).get(bob.accountId))!;
    const error = await api.listVideos(account, { cursor: 8 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TikTokCallError);
    expect((error as TikTokCallError).code).toBe("reconnect_required");
    const after = h.sandbox.control.counters();
    expect(after.tokenByGrant.refresh_token - counters.tokenByGrant.refresh_token).toBe(1);
    expect(after.video_list - counters.video_list).toBe(2);
  });

  it("S76: access_token_invalid twice with a forced refresh between that failed for a moment (TikTok 500) → 'TikTok unavailable', not 'reconnect'; the account stays ACTIVE", async () => {
    const counters = h.sandbox.control.counters();
    h.sandbox.control.queueFault("video_list", { kind: "api_error", code: "access_token_invalid", status: 401 }, 2);
    h.sandbox.control.queueFault("token", { kind: "status", status: 500 });
    const { api } = await getTikTokServices();
    const account = (await accountsOf(h.db, bob.id).get(bob.accountId))!;
    const error = await api.listVideos(account, { cursor: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TikTokCallError);
    expect((error as TikTokCallError).code).toBe("tiktok_unavailable");
    const after = h.sandbox.control.counters();
    expect(after.video_list - counters.video_list).toBe(2);
    const [row] = await h.db.select().from(socialAccounts).where(eq(socialAccounts.id, bob.accountId));
    expect(row!.status).toBe("ACTIVE");
    // A refusal that was the fluke: the stored token, sent again after the failed refresh, works.
    h.install();
    h.sandbox.control.queueFault("video_list", { kind: "api_error", code: "access_token_invalid", status: 401 });
    h.sandbox.control.queueFault("token", { kind: "status", status: 500 });
    const page = await (await getTikTokServices()).api.listVideos((await accountsOf(h.db, bob.id).get(bob.accountId))!, { cursor: 11 });
    expect(Array.isArray(page.videos)).toBe(true);
  });

  it("S36: scope_not_authorized → ask to reconnect, no refresh", async () => {
    const counters = h.sandbox.control.counters();
    h.sandbox.control.queueFault("video_list", { kind: "api_error", code: "scope_not_authorized", status: 401 });
    const response = await listVideos(bob, 9);
    expect(response.status).toBe(409);
    expect(((await response.json()) as { code: string }).code).toBe("reconnect_required");
    expect(h.sandbox.control.counters().tokenByGrant.refresh_token).toBe(counters.tokenByGrant.refresh_token);
  });

  it("another user's account id is not found, and nothing reaches TikTok", async () => {
    const before = h.sandbox.control.counters().video_list;
    const response = await videosRoute(bob.browser.request(`${APP_URL}/api/accounts/${alice.accountId}/videos?cursor=11`), {
      params: Promise.resolve({ accountId: alice.accountId }),
    });
    expect(response.status).toBe(404);
    expect(h.sandbox.control.counters().video_list).toBe(before);
  });

  it("refuses a signed-out request with 401", async () => {
    const response = await videosRoute(new Request(`${APP_URL}/api/accounts/${alice.accountId}/videos`), {
      params: Promise.resolve({ accountId: alice.accountId }),
    });
    expect(response.status).toBe(401);
  });
});
