import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as videosRoute } from "@/app/api/accounts/[accountId]/videos/route";
import { videoUploads } from "@/lib/db/schema";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { createManualClock } from "@/lib/clock";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { accountChanged } from "@/lib/connections/account-cache";
import { TikTokApiClient } from "@/lib/providers/tiktok/api-client";
import { UserBudget } from "@/lib/connections/user-budget";
import { getTikTokServices } from "@/lib/services";
import { getUploadServices } from "@/lib/uploads/runtime";
import { APP_URL, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { seedConnectedAccounts } from "../helpers/seed-accounts";
import { fixture, uploadFile, useTestUploadConfig, waitForUpload } from "./upload-kit";

/**
 * TikTok's per-token limits (issue #11, finding 6): creator_info 20/min and status/fetch 30/min
 * per token. The sandbox's own limits are raised here so that any excess would reach it and be
 * counted: what is proven is that SocialFlow holds back, not that TikTok refuses.
 */
describe("TikTok's per-token limits through the app", () => {
  let h: AppHarness;
  let uploads: Awaited<ReturnType<typeof useTestUploadConfig>>;
  let browser: TestBrowser;
  let userId: string;

  beforeAll(async () => {
    h = await startAppHarness({
      // TikTok never finishes processing here, so the uploads stay in PROCESSING_UPLOAD and are polled.
      sandbox: { statusStepMs: 24 * 60 * 60_000, rateLimits: { status: 10_000, creator_info: 10_000, inbox_init: 1000 } },
      env: { RATE_LIMIT_PER_MINUTE: "5000", RATE_LIMIT_PER_DAY: "50000" },
    });
    uploads = await useTestUploadConfig();
    const user = await h.signUp("limits");
    userId = user.id;
    browser = new TestBrowser(user.cookie);
  }, 120_000);
  afterAll(async () => {
    await uploads?.cleanup();
    await h?.close();
  }, 60_000);

  async function seedAccount(scopes: string[]) {
    const prefix = `tl-${randomBytes(3).toString("hex")}`;
    const seeded = await seedConnectedAccounts({ db: h.db, cipher: getTokenCipher(), sandbox: { control: h.sandbox.control }, count: 1, userId, now: new Date(), scopes, openIdPrefix: prefix });
    return (await accountsOf(h.db, userId).get(seeded.accounts[0]!.id))!;
  }

  it("S61: two uploads polled on one account stay within TikTok's 30 status requests a minute, and are still polled (not failed)", async () => {
    const account = await seedAccount(["user.info.basic", "video.upload"]);
    const before = h.sandbox.control.counters().status;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { sent, uploadId } = await uploadFile(browser, account.id, fixture("valid-portrait.mp4"));
      expect(sent.status).toBe(202);
      ids.push(uploadId);
    }
    for (const id of ids) await waitForUpload(browser, account.id, id, (v) => v.state === "PROCESSING_UPLOAD" && v.bytesSent === v.totalBytes);
    // Polling starts at 20 ms here and doubles every 5 polls: unchecked, two uploads make about
    // 60 status requests in 8 s — twice what TikTok allows one token in a minute.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    expect(h.sandbox.control.counters().status - before).toBeLessThanOrEqual(30);
    expect(h.sandbox.control.counters().status - before).toBeGreaterThan(10);
    const rows = await h.db.select().from(videoUploads).where(eq(videoUploads.accountId, account.id));
    expect(rows.map((r) => r.state)).toEqual(["PROCESSING_UPLOAD", "PROCESSING_UPLOAD"]);
    expect(rows.every((r) => r.nextPollAt !== null)).toBe(true);
  }, 60_000);

  it("S62: the upload page's creator_info is asked once a minute per account, again after a reconnect and after the minute", async () => {
    const account = await seedAccount(["user.info.basic", "video.upload", "video.publish"]);
    const { service } = await getUploadServices();
    const before = h.sandbox.control.counters().creator_info;
    for (let i = 0; i < 5; i++) expect((await service.postingOptions(account)).creator).toBeDefined();
    expect(h.sandbox.control.counters().creator_info - before).toBe(1);
    // A reconnect (saveConnection calls accountChanged) drops the cached answer.
    accountChanged(account.id);
    await service.postingOptions(account);
    expect(h.sandbox.control.counters().creator_info - before).toBe(2);

    // The minute, on a client of its own with a clock the test moves.
    const clock = createManualClock(new Date());
    const { refresher } = await getTikTokServices();
    const api = new TikTokApiClient({ db: h.db, cipher: getTokenCipher(), refresher, budget: new UserBudget({ perMinute: 100, perDay: 1000 }), apiBaseUrl: h.config.tiktok.apiBaseUrl, clock });
    await api.queryCreatorInfo(account);
    clock.advance(59_000);
    await api.queryCreatorInfo(account);
    expect(h.sandbox.control.counters().creator_info - before).toBe(3);
    clock.advance(2_000);
    await api.queryCreatorInfo(account);
    expect(h.sandbox.control.counters().creator_info - before).toBe(4);
  });

  it("S62: past 20 creator_info answers a minute, SocialFlow answers rate_limited itself and TikTok is not called", async () => {
    const account = await seedAccount(["user.info.basic", "video.publish"]);
    const { refresher } = await getTikTokServices();
    const api = new TikTokApiClient({ db: h.db, cipher: getTokenCipher(), refresher, budget: new UserBudget({ perMinute: 1000, perDay: 10_000 }), apiBaseUrl: h.config.tiktok.apiBaseUrl });
    const before = h.sandbox.control.counters().creator_info;
    for (let i = 0; i < 20; i++) {
      accountChanged(account.id); // no cached answer: every call is a real one
      await api.queryCreatorInfo(account);
    }
    accountChanged(account.id);
    const refused = await api.queryCreatorInfo(account).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "rate_limited" });
    expect((refused as { details: { retryAfterSec: number } }).details.retryAfterSec).toBeGreaterThan(0);
    expect(h.sandbox.control.counters().creator_info - before).toBe(20);
  });

  it("S63: GET pages spend nothing while a fresh answer is at hand: five upload-page renders spend one call of a 2-a-minute budget; video reloads one", async () => {
    const account = await seedAccount(["user.info.basic", "video.list", "video.publish"]);
    const { refresher } = await getTikTokServices();
    const api = new TikTokApiClient({ db: h.db, cipher: getTokenCipher(), refresher, budget: new UserBudget({ perMinute: 2, perDay: 1000 }), apiBaseUrl: h.config.tiktok.apiBaseUrl });
    for (let i = 0; i < 5; i++) expect(await api.queryCreatorInfo(account)).toMatchObject({ privacy_level_options: expect.any(Array) });
    await api.listVideos(account); // the second and last call the budget allows this minute

    const before = h.sandbox.control.counters().video_list;
    for (let i = 0; i < 3; i++) {
      const response = await videosRoute(browser.request(`${APP_URL}/api/accounts/${account.id}/videos`), { params: Promise.resolve({ accountId: account.id }) });
      expect(response.status).toBe(200);
    }
    expect(h.sandbox.control.counters().video_list - before).toBe(1);
  });
});
