import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { socialAccounts, videoUploads } from "@/lib/db/schema";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { getUploadServices, startUploadRuntime, stopUploadRuntime } from "@/lib/uploads/runtime";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { UploadStore } from "@/lib/uploads/upload-store";
import { resetAppGlobals, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { seedConnectedAccounts } from "../helpers/seed-accounts";
import { fixture, uploadFile, useTestUploadConfig, waitForUpload, waitUntilDone } from "./upload-kit";

/**
 * After the last chunk: polling TikTok's status/fetch until SEND_TO_USER_INBOX, PUBLISH_COMPLETE
 * or FAILED, from the video_uploads table so that a restart resumes it. The sandbox's status
 * step is long here (10 min on its clock) so that tests decide when TikTok finishes.
 */
describe("status polling after the bytes reached TikTok", () => {
  const STEP_MS = 10 * 60_000;
  let h: AppHarness;
  let uploads: Awaited<ReturnType<typeof useTestUploadConfig>>;
  let browser: TestBrowser;
  let userId: string;

  beforeAll(async () => {
    h = await startAppHarness({ sandbox: { statusStepMs: STEP_MS, rateLimits: { inbox_init: 1000, status: 1000 } }, env: { RATE_LIMIT_PER_MINUTE: "5000" } });
    uploads = await useTestUploadConfig();
    const user = await h.signUp("poller");
    userId = user.id;
    browser = new TestBrowser(user.cookie);
  }, 120_000); // a harness, a sign-up and a connect: slow on a loaded CI machine
  afterEach(() => h.sandbox.control.clearFaults());
  afterAll(async () => {
    await uploads?.cleanup();
    await h?.close();
  }, 60_000);

  async function freshAccount(scopes = ["user.info.basic", "video.upload"], openIdPrefix?: string): Promise<string> {
    const seeded = await seedConnectedAccounts({ db: h.db, cipher: getTokenCipher(), sandbox: { control: h.sandbox.control }, count: 1, userId, now: new Date(), scopes, openIdPrefix });
    return seeded.accounts[0]!.id;
  }

  async function rowOf(uploadId: string) {
    const [row] = await h.db.select().from(videoUploads).where(eq(videoUploads.id, uploadId));
    return row!;
  }

  /** Uploads the valid fixture and waits until TikTok has every byte (PROCESSING_UPLOAD). */
  async function uploadedAndProcessing(accountId: string, mode: "inbox" | "direct" = "inbox") {
    const { sent, uploadId } = await uploadFile(browser, accountId, fixture("valid-portrait.mp4"), mode === "direct" ? { mode, post: { privacyLevel: "SELF_ONLY" } } : {});
    expect(sent.status).toBe(202);
    await waitForUpload(browser, accountId, uploadId, (v) => v.state === "PROCESSING_UPLOAD" && v.bytesSent === v.totalBytes);
    return { uploadId, publishId: (await rowOf(uploadId)).publishId! };
  }

  const FAIL_REASONS: [string, RegExp][] = [
    ["file_format_check_failed", /could not use the file's format/],
    ["duration_check_failed", /video's length/],
    ["frame_rate_check_failed", /frame rate \(23 to 60/],
    ["picture_size_check_failed", /picture size \(each side must be 360 to 4096/],
    ["internal", /internal problem/],
    ["publish_cancelled", /cancelled/],
    ["auth_removed", /removed SocialFlow's access/],
    ["spam_risk_too_many_posts", /posted too many times today/],
    ["spam_risk_user_banned_from_posting", /blocked this account from posting/],
    ["spam_risk_text", /title or description as spam/],
    ["spam_risk", /spam risk/],
    ["video_pull_failed", /could not fetch the video/],
  ];

  it.each(FAIL_REASONS)("FAILED with fail_reason %s is shown in plain words", async (reason, words) => {
    const accountId = await freshAccount();
    const { uploadId, publishId } = await uploadedAndProcessing(accountId);
    h.sandbox.control.failUpload(publishId, reason);
    h.sandbox.control.advanceTime(STEP_MS);
    const done = await waitUntilDone(browser, accountId, uploadId);
    expect(done).toMatchObject({ state: "FAILED", failReason: reason, errorCode: null, succeeded: false });
    expect(done.message).toMatch(words);
    expect((await rowOf(uploadId)).completedAt).toBeInstanceOf(Date);
  });

  it("a fail_reason nobody has documented is kept as a code, with a sentence that says TikTok did not explain; junk is 'unknown'", async () => {
    const accountId = await freshAccount();
    const first = await uploadedAndProcessing(accountId);
    h.sandbox.control.failUpload(first.publishId, "brand_new_reason");
    const second = await uploadedAndProcessing(accountId);
    h.sandbox.control.failUpload(second.publishId, "<script>alert(1)</script>");
    h.sandbox.control.advanceTime(STEP_MS);
    const a = await waitUntilDone(browser, accountId, first.uploadId);
    expect(a).toMatchObject({ failReason: "brand_new_reason" });
    expect(a.message).toMatch(/did not say why/);
    expect(await waitUntilDone(browser, accountId, second.uploadId)).toMatchObject({ failReason: "unknown" });
  });

  it("a direct post ends PUBLISH_COMPLETE", async () => {
    const accountId = await freshAccount(["user.info.basic", "video.publish"]);
    const { uploadId } = await uploadedAndProcessing(accountId, "direct");
    h.sandbox.control.advanceTime(STEP_MS);
    expect(await waitUntilDone(browser, accountId, uploadId)).toMatchObject({ state: "PUBLISH_COMPLETE", succeeded: true });
  });

  it("survives a restart: polling stops with the process and the next start resumes it from the table", async () => {
    const accountId = await freshAccount();
    const { uploadId } = await uploadedAndProcessing(accountId);
    await stopUploadRuntime();
    // The process is gone: TikTok finishes meanwhile, nobody polls.
    h.sandbox.control.advanceTime(STEP_MS);
    await new Promise((r) => setTimeout(r, 100));
    expect((await rowOf(uploadId)).state).toBe("PROCESSING_UPLOAD");

    // A new process: fresh TikTok services and upload runtime over the same database.
    resetAppGlobals();
    h.install();
    await startUploadRuntime();
    const done = await waitUntilDone(browser, accountId, uploadId);
    expect(done).toMatchObject({ state: "SEND_TO_USER_INBOX", succeeded: true });
  });

  it("an upload its process dropped mid-step (no sign of life for 15 min) is marked interrupted; live ones are left alone", async () => {
    const accountId = await freshAccount();
    const store = new UploadStore(h.db);
    const old = new Date(Date.now() - 16 * 60_000);
    const ids = ["RECEIVING", "VALIDATING", "UPLOADING", "AWAITING_FILE"].map(() => randomBytes(8).toString("hex"));
    for (const [i, state] of (["RECEIVING", "VALIDATING", "UPLOADING", "AWAITING_FILE"] as const).entries()) {
      await h.db.insert(videoUploads).values({ id: ids[i]!, accountId, userId, mode: "inbox", state, totalBytes: 10, createdAt: old, updatedAt: old });
    }
    const fresh = await store.create({ id: randomBytes(8).toString("hex"), accountId, userId, mode: "inbox", totalBytes: 10 }, new Date());
    const { poller } = await getUploadServices();
    await poller.runOnce();
    for (const id of ids) expect(await rowOf(id)).toMatchObject({ state: "FAILED", errorCode: "interrupted" });
    expect((await rowOf(fresh.id)).state).toBe("AWAITING_FILE");
    const view = (await (await getUploadServices()).service.get((await accountsOf(h.db, userId).get(accountId))!, ids[0]!))!;
    expect(view.message).toMatch(/stopped before the video reached TikTok/);
  });

  it("two instances polling the same table never claim the same upload", async () => {
    const accountId = await freshAccount();
    const store = new UploadStore(h.db);
    const now = new Date();
    for (let i = 0; i < 30; i++) {
      await h.db.insert(videoUploads).values({
        id: `claim-${i}-${randomBytes(4).toString("hex")}`,
        accountId,
        userId,
        mode: "inbox",
        state: "PROCESSING_UPLOAD",
        publishId: `p-${i}`,
        totalBytes: 10,
        nextPollAt: new Date(now.getTime() + 3_600_000),
      });
    }
    const later = new Date(now.getTime() + 3_700_000);
    const [a, b] = await Promise.all([store.claimDuePolls(later, 20, 60_000), store.claimDuePolls(later, 20, 60_000)]);
    const claimed = [...a, ...b].map((r) => r.id).filter((id) => id.startsWith("claim-"));
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.length).toBe(30);
    await h.db.delete(videoUploads).where(eq(videoUploads.accountId, accountId));
  });

  it("TikTok rate-limits the status endpoint: the upload waits (≥ 60 s) and stays in progress", async () => {
    const accountId = await freshAccount();
    const { uploadId } = await uploadedAndProcessing(accountId);
    h.sandbox.control.queueFault("status", { kind: "api_error", code: "rate_limit_exceeded", status: 429 }, 3);
    const before = h.sandbox.control.counters().status;
    await new Promise((r) => setTimeout(r, 300));
    const row = await rowOf(uploadId);
    expect(row.state).toBe("PROCESSING_UPLOAD");
    expect(row.nextPollAt!.getTime() - Date.now()).toBeGreaterThan(55_000);
    expect(h.sandbox.control.counters().status - before).toBe(1);
  });

  it("access removed at TikTok while processing: FAILED reconnect_required, with what to do", async () => {
    const accountId = await freshAccount(["user.info.basic", "video.upload"], "revoked");
    const { uploadId } = await uploadedAndProcessing(accountId);
    const [account] = await h.db.select().from(socialAccounts).where(eq(socialAccounts.id, accountId));
    h.sandbox.control.revokeGrant(account!.platformUserId);
    const done = await waitUntilDone(browser, accountId, uploadId);
    expect(done).toMatchObject({ state: "FAILED", errorCode: "reconnect_required" });
    expect(done.message).toMatch(/Reconnect it on the Accounts page/);
  });
});
