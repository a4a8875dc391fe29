import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as videosRoute } from "@/app/api/accounts/[accountId]/videos/route";
import { getTikTokServices } from "@/lib/services";
import { APP_URL, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { connectTikTok } from "../helpers/connect-flow";
import { clearAccounts, postDisconnect } from "../helpers/security-kit";

/**
 * Issue #11, finding 1: the video page cache was keyed by account and cursor only and read
 * before the ownership check, so anyone signed in got the owner's list for a minute after the
 * owner opened it. Caches are now keyed by owner and account, reachable only with an
 * OwnedAccount (src/lib/connections/owned-accounts.ts), and cleared on disconnect and reconnect.
 */
describe("owner-scoped account access and caches", () => {
  let h: AppHarness;
  let owner: { id: string; browser: TestBrowser };
  let other: { id: string; browser: TestBrowser };

  beforeAll(async () => {
    h = await startAppHarness({ env: { RATE_LIMIT_PER_MINUTE: "1000" } });
    const a = await h.signUp("owner");
    owner = { id: a.id, browser: new TestBrowser(a.cookie) };
    const b = await h.signUp("other");
    other = { id: b.id, browser: new TestBrowser(b.cookie) };
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    h.install();
    await clearAccounts(h.db);
  });

  const listVideos = async (browser: TestBrowser, accountId: string, cursor?: number) => {
    const query = cursor === undefined ? "" : `?cursor=${cursor}`;
    const response = await videosRoute(browser.request(`${APP_URL}/api/accounts/${accountId}/videos${query}`), {
      params: Promise.resolve({ accountId }),
    });
    return { status: response.status, text: await response.text() };
  };

  it("S41: video list not readable by another user even right after the owner loaded it", async () => {
    const accountId = await connectTikTok(owner.browser, { openId: "sbx-ava-0001" });
    const mine = await listVideos(owner.browser, accountId);
    expect(mine.status).toBe(200);
    const titles = (JSON.parse(mine.text) as { videos: { title: string; id: string }[] }).videos;
    expect(titles.length).toBeGreaterThan(0);

    const calls = h.sandbox.control.counters().video_list;
    for (const cursor of [undefined, 0]) {
      const theirs = await listVideos(other.browser, accountId, cursor);
      expect(theirs.status).toBe(404);
      expect(JSON.parse(theirs.text)).toEqual({ error: "Account not found", code: "not_found" });
      for (const video of titles) {
        expect(theirs.text).not.toContain(video.id);
        expect(theirs.text).not.toContain(video.title);
      }
    }
    expect(h.sandbox.control.counters().video_list).toBe(calls);
    // And the owner is still served from the cache (the fix kept it).
    expect((await listVideos(owner.browser, accountId)).status).toBe(200);
    expect(h.sandbox.control.counters().video_list).toBe(calls);
  });

  it("S44: caches cleared on reconnect (the same account, same id) and on disconnect", async () => {
    const accountId = await connectTikTok(owner.browser, { openId: "sbx-ben-0002" });
    const { videos } = await getTikTokServices();
    const before = h.sandbox.control.counters().video_list;
    expect((await listVideos(owner.browser, accountId)).status).toBe(200);
    expect((await listVideos(owner.browser, accountId)).status).toBe(200);
    expect(h.sandbox.control.counters().video_list - before).toBe(1);

    // Reconnect: the callback stores a new grant for the existing row (same id).
    expect(await connectTikTok(owner.browser, { openId: "sbx-ben-0002" })).toBe(accountId);
    expect((await listVideos(owner.browser, accountId)).status).toBe(200);
    expect(h.sandbox.control.counters().video_list - before).toBe(2);

    expect(videos.cachedPagesFor(accountId)).toBe(1);
    expect((await postDisconnect(owner.browser, accountId)).status).toBe(200);
    expect(videos.cachedPagesFor(accountId)).toBe(0);
    expect((await listVideos(owner.browser, accountId)).status).toBe(404);
  });
});
