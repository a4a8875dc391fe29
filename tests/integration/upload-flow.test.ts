import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { videoUploads } from "@/lib/db/schema";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { setUploadConfigForTests } from "@/lib/uploads/upload-config";
import { getUploadServices } from "@/lib/uploads/runtime";
import { startUploadSchema } from "@/lib/uploads/request-schemas";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { DEFAULT_CLIENT } from "../../sandbox/tiktok/index";
import { POST as startRoute } from "@/app/api/accounts/[accountId]/uploads/route";
import { APP_URL, REDIRECT_URI, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { connectTikTok } from "../helpers/connect-flow";
import { installProviderFetchTap, jsonResponse } from "../helpers/fetch-tap";
import { captureLogs, type LogCapture } from "../helpers/log-capture";
import { seedConnectedAccounts } from "../helpers/seed-accounts";
import {
  expectNoTempFiles,
  fixture,
  getUpload,
  listUploads,
  putFile,
  startUpload,
  uploadFile,
  useTestUploadConfig,
  waitUntilDone,
} from "./upload-kit";

const ALL_SCOPES = "user.info.basic,video.list,video.upload,video.publish";

describe("uploading a video through the real routes to the TikTok sandbox", () => {
  let h: AppHarness;
  let logs: LogCapture;
  let uploads: Awaited<ReturnType<typeof useTestUploadConfig>>;
  let browser: TestBrowser;
  let userId: string;
  let inboxAccount: string; // Ava: video.upload only (the default scopes)

  beforeAll(async () => {
    logs = captureLogs("info");
    h = await startAppHarness({ sandbox: { statusStepMs: 50 }, env: { TIKTOK_SCOPES: ALL_SCOPES, RATE_LIMIT_PER_MINUTE: "1000" } });
    uploads = await useTestUploadConfig();
    const user = await h.signUp("uploader");
    userId = user.id;
    browser = new TestBrowser(user.cookie);
    inboxAccount = await connectTikTok(browser, { openId: "sbx-ava-0001", grant: ["user.info.basic", "video.list", "video.upload"] });
  }, 120_000); // a harness, a sign-up and a connect: slow on a loaded CI machine
  afterEach(async () => {
    h.sandbox.control.clearFaults();
    await (await getUploadServices()).service.settled();
    await expectNoTempFiles(uploads.tmpDir);
  });
  afterAll(async () => {
    await uploads?.cleanup();
    await h?.close();
    logs?.restore();
  }, 60_000);

  /** An extra account of this user with exactly these scopes (real sandbox tokens). */
  async function seedAccount(scopes: string[], openIdPrefix = "upl") {
    const { accounts } = await seedConnectedAccounts({
      db: h.db,
      cipher: getTokenCipher(),
      sandbox: { control: h.sandbox.control },
      count: 1,
      userId,
      now: new Date(),
      scopes,
      openIdPrefix,
    });
    return accounts[0]!;
  }
  /**
   * A fresh inbox account: the tests above leave 5 videos in Ava's inbox, and TikTok (and so
   * SocialFlow, see upload-quotas.ts) takes no 6th inbox upload for an account within 24 h.
   */
  const freshInbox = async (prefix: string) => (await seedAccount(["user.info.basic", "video.list", "video.upload"], prefix)).id;

  it("sends the portrait MP4 to the creator's inbox: 202 while sending, then SEND_TO_USER_INBOX with every byte at TikTok", async () => {
    const file = fixture("valid-portrait.mp4");
    const size = (await stat(file)).size;
    const { started, sent, uploadId } = await uploadFile(browser, inboxAccount, file, { type: "video/mp4" });
    expect(started.body.upload).toMatchObject({ state: "AWAITING_FILE", totalBytes: size, bytesSent: 0, done: false });
    expect(sent.status).toBe(202);
    expect(sent.body.upload).toMatchObject({ state: "UPLOADING", mode: "inbox", warnings: [] });
    // The proxy skips this route (its body must not be buffered): the route sets the same headers.
    expect(sent.headers.get("x-content-type-options")).toBe("nosniff");
    expect(sent.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(sent.headers.get("x-request-id")).toMatch(/^[A-Za-z0-9]/);

    const done = await waitUntilDone(browser, inboxAccount, uploadId);
    expect(done).toMatchObject({ state: "SEND_TO_USER_INBOX", succeeded: true, bytesSent: size, totalBytes: size, errorCode: null });
    expect(done.message).toMatch(/^Sent to your TikTok inbox/);

    const [row] = await h.db.select().from(videoUploads).where(eq(videoUploads.id, uploadId));
    expect(row).toMatchObject({ accountId: inboxAccount, userId, contentType: "video/mp4", state: "SEND_TO_USER_INBOX" });
    expect(row!.completedAt).toBeInstanceOf(Date);
    const atTikTok = h.sandbox.control.upload(row!.publishId!)!;
    expect(atTikTok).toMatchObject({ kind: "inbox", status: "SEND_TO_USER_INBOX", receivedBytes: size, chunksReceived: 1, totalChunkCount: 1 });
    expect(atTikTok.sha256).toBe(createHash("sha256").update(await readFile(file)).digest("hex"));
  });

  it("never shows the publish_id or the upload URL to the browser, nor logs the URL", async () => {
    const { uploadId } = await uploadFile(browser, inboxAccount, fixture("valid.webm"), { type: "video/webm" });
    const done = await waitUntilDone(browser, inboxAccount, uploadId);
    const [row] = await h.db.select().from(videoUploads).where(eq(videoUploads.id, uploadId));
    const seen = JSON.stringify([done, (await listUploads(browser, inboxAccount)).body]);
    expect(seen).not.toContain(row!.publishId!);
    expect(seen).not.toContain("upload_token");
    expect(logs.text()).not.toContain("upload_token");
    expect(logs.text()).not.toContain("/upload/");
    expect(logs.events()).toEqual(expect.arrayContaining(["upload.started", "upload.init", "upload.sent", "upload.completed"]));
    // The body route runs outside the proxy but its log lines still carry the request id.
    expect(logs.entries().find((e) => e.event === "upload.init")?.requestId).toEqual(expect.any(String));
  });

  it("sends a MOV as video/quicktime and an MP4 named .webm as MP4, with a warning", async () => {
    const mov = await uploadFile(browser, inboxAccount, fixture("valid.mov"), { type: "video/quicktime" });
    expect(await waitUntilDone(browser, inboxAccount, mov.uploadId)).toMatchObject({ state: "SEND_TO_USER_INBOX" });
    const [movRow] = await h.db.select().from(videoUploads).where(eq(videoUploads.id, mov.uploadId));
    expect(movRow!.contentType).toBe("video/quicktime");

    const renamed = await uploadFile(browser, inboxAccount, fixture("mp4-named.webm"), { type: "video/webm" });
    expect(renamed.sent.status).toBe(202);
    expect(renamed.sent.body.upload!.warnings.map((w) => w.code)).toEqual(["type_mismatch"]);
    expect(await waitUntilDone(browser, inboxAccount, renamed.uploadId)).toMatchObject({ state: "SEND_TO_USER_INBOX" });
    const [row] = await h.db.select().from(videoUploads).where(eq(videoUploads.id, renamed.uploadId));
    expect(row!.contentType).toBe("video/mp4");
  });

  it.each([
    ["too-short-1s.mp4", "too_short", /at least 3 seconds/],
    ["too-small-320x240.mp4", "dimensions", /between 360 and 4096 pixels/],
    ["low-fps-15.mp4", "frame_rate", /23 to 60 frames per second/],
    ["not-a-video.mp4", "not_a_video", /MP4 \(recommended\), MOV or WEBM/],
    ["truncated.mp4", "truncated", /incomplete/],
  ])("refuses %s before anything reaches TikTok (422, %s)", async (name, code, allowed) => {
    const initsBefore = h.sandbox.control.counters().inbox_init;
    const { sent, uploadId } = await uploadFile(browser, inboxAccount, fixture(name), { type: "video/mp4" });
    expect(sent.status).toBe(422);
    expect(sent.body).toMatchObject({ code: "invalid_video", upload: { state: "REJECTED", done: true, succeeded: false } });
    expect(sent.body.upload!.problems.map((p) => p.code)).toEqual([code]);
    expect(sent.body.upload!.problems[0]!.message).toMatch(allowed);
    expect(h.sandbox.control.counters().inbox_init).toBe(initsBefore);
    // The refusal stays with the upload for the history list.
    expect((await getUpload(browser, inboxAccount, uploadId)).body.upload!.problems).toEqual(sent.body.upload!.problems);
  });

  it("accepts 360×640 with the low-resolution warning", async () => {
    const { sent, uploadId } = await uploadFile(browser, inboxAccount, fixture("low-res-360x640.mp4"));
    expect(sent.status).toBe(202);
    expect(sent.body.upload!.warnings.map((w) => w.code)).toEqual(["low_resolution"]);
    expect(await waitUntilDone(browser, inboxAccount, uploadId)).toMatchObject({ state: "SEND_TO_USER_INBOX", warnings: [expect.objectContaining({ code: "low_resolution" })] });
  });

  it("enforces the size cap: announced too big → 413; a body bigger than announced is cut off while streaming → 413", async () => {
    const inboxAccount = await freshInbox("sizecap");
    const file = fixture("valid-portrait.mp4");
    const size = (await stat(file)).size;
    setUploadConfigForTests({ tmpDir: uploads.tmpDir, pollIntervalMs: 20, maxBytes: size - 1 });
    try {
      const tooBig = await startUpload(browser, inboxAccount, { mode: "inbox", size });
      expect(tooBig.status).toBe(413);
      expect(tooBig.body.code).toBe("file_too_large");
    } finally {
      setUploadConfigForTests({ tmpDir: uploads.tmpDir, pollIntervalMs: 20 });
    }
    // Announce 1,000 bytes, send the whole file without Content-Length: stopped at byte 1,001.
    const started = await startUpload(browser, inboxAccount, { mode: "inbox", size: 1000 });
    const sent = await putFile(browser, inboxAccount, started.body.upload!.id, file, { contentLength: null });
    expect(sent.status).toBe(413);
    expect(sent.body.upload).toMatchObject({ state: "FAILED", errorCode: "file_too_large" });
    // A Content-Length that differs from the announcement is refused before reading.
    const other = await startUpload(browser, inboxAccount, { mode: "inbox", size: size + 5 });
    expect((await putFile(browser, inboxAccount, other.body.upload!.id, file)).status).toBe(400);
  });

  it("S65: the announcement's body is read only up to 16,384 bytes: an endless chunked body is cut off there, and multi-byte text counts in bytes (413)", async () => {
    const inboxAccount = await freshInbox("bodycap");
    const announce = (body: BodyInit) =>
      startRoute(
        browser.request(`${APP_URL}/api/accounts/${inboxAccount}/uploads`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          duplex: "half",
        } as RequestInit),
        { params: Promise.resolve({ accountId: inboxAccount }) },
      );
    // 64 MB without Content-Length, produced only as the route pulls it: count what it pulls.
    const CHUNK = 64 * 1024;
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= 1024 * CHUNK) return controller.close();
        pulled += CHUNK;
        controller.enqueue(new Uint8Array(CHUNK).fill(0x20));
      },
    });
    const cut = await announce(endless);
    expect(cut.status).toBe(413);
    expect(await cut.json()).toEqual({ error: "Request body too large", code: "invalid_request" });
    expect(pulled).toBeLessThanOrEqual(16_384 + 2 * CHUNK);
    // 10,000 characters but 30,000 bytes of UTF-8: too large, though shorter than the limit in characters.
    const wide = await announce(JSON.stringify({ mode: "inbox", size: 1000, pad: "€".repeat(10_000) }));
    expect(wide.status).toBe(413);
    // At the limit exactly, the body is read and judged on its content (here: an unknown key).
    const exact = JSON.stringify({ mode: "inbox", size: 1000, pad: "" });
    const atLimit = await announce(JSON.stringify({ mode: "inbox", size: 1000, pad: " ".repeat(16_384 - exact.length) }));
    expect(atLimit.status).toBe(400);
  });

  it("a file can be sent once; other users and other sites get nothing", async () => {
    const inboxAccount = await freshInbox("once");
    const file = fixture("valid-portrait.mp4");
    const { uploadId } = await uploadFile(browser, inboxAccount, file);
    await waitUntilDone(browser, inboxAccount, uploadId);
    expect((await putFile(browser, inboxAccount, uploadId, file)).status).toBe(409);

    const stranger = new TestBrowser((await h.signUp("stranger")).cookie);
    expect((await getUpload(stranger, inboxAccount, uploadId)).status).toBe(404);
    // Another user's account is not found at all (it used to answer 200 with an empty list).
    const listed = await listUploads(stranger, inboxAccount);
    expect(listed.status).toBe(404);
    expect(listed.body.uploads).toBeUndefined();
    expect((await startUpload(stranger, inboxAccount, { mode: "inbox", size: 10 })).status).toBe(404);

    const started = await startUpload(browser, inboxAccount, { mode: "inbox", size: (await stat(file)).size });
    expect((await putFile(stranger, inboxAccount, started.body.upload!.id, file)).status).toBe(404);
    expect((await putFile(browser, inboxAccount, started.body.upload!.id, file, { origin: "https://evil.example" })).status).toBe(403);
    expect((await startUpload(browser, inboxAccount, { mode: "inbox", size: 10 }, "https://evil.example")).status).toBe(403);
  });

  it("refuses malformed announcements", async () => {
    for (const body of [{}, { mode: "inbox" }, { mode: "inbox", size: -1 }, { mode: "inbox", size: 10, extra: 1 }, { mode: "direct", size: 10 }, { mode: "inbox", size: 5 * 2 ** 30 }]) {
      expect((await startUpload(browser, inboxAccount, body)).status, JSON.stringify(body)).toBe(400);
    }
  });

  it("without video.upload or video.publish: says the account didn't allow uploads and where to grant it", async () => {
    const account = await seedAccount(["user.info.basic", "video.list"], "noscope");
    const refused = await startUpload(browser, account.id, { mode: "inbox", size: 1000 });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("posting_not_approved");
    expect(refused.body.error).toMatch(/didn't allow SocialFlow to upload videos\. Grant the permission from Settings → Accounts/);
    const options = await (await getUploadServices()).service.postingOptions((await accountsOf(h.db, userId).get(account.id))!);
    expect(options).toMatchObject({ inbox: false, direct: false, reconnect: false });
    expect(options!.creator).toBeUndefined();
    // With only one of the two, the other mode names the missing permission.
    expect((await startUpload(browser, inboxAccount, { mode: "direct", size: 1000, post: { privacyLevel: "SELF_ONLY" } })).body.code).toBe("scope_missing");
  });

  it("direct post: privacy options exactly as TikTok lists them, none chosen for the user; a level TikTok did not offer is refused", async () => {
    const account = await seedAccount(["user.info.basic", "video.publish"], "direct");
    const options = await (await getUploadServices()).service.postingOptions((await accountsOf(h.db, userId).get(account.id))!);
    expect(options).toMatchObject({ inbox: false, direct: true, creator: { privacy_level_options: ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"] } });

    const size = (await stat(fixture("valid-portrait.mp4"))).size;
    expect((await startUpload(browser, account.id, { mode: "direct", size })).status).toBe(400);
    const wrong = await startUpload(browser, account.id, { mode: "direct", size, post: { privacyLevel: "FOLLOWER_OF_CREATOR" } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.code).toBe("privacy_level_option_mismatch");
    const tooLong = await startUpload(browser, account.id, { mode: "direct", size, post: { privacyLevel: "SELF_ONLY", title: "x".repeat(2201) } });
    expect(tooLong.status).toBe(400);

    const { sent, uploadId } = await uploadFile(browser, account.id, fixture("valid-portrait.mp4"), {
      mode: "direct",
      post: { privacyLevel: "PUBLIC_TO_EVERYONE", title: "é".repeat(2200), disableDuet: true },
    });
    expect(sent.status).toBe(202);
    expect(await waitUntilDone(browser, account.id, uploadId)).toMatchObject({ state: "PUBLISH_COMPLETE", succeeded: true, message: "Posted to TikTok." });
    const [row] = await h.db.select().from(videoUploads).where(eq(videoUploads.id, uploadId));
    expect(row!.postInfo).toEqual({ privacy_level: "PUBLIC_TO_EVERYONE", title: "é".repeat(2200), disable_comment: false, disable_duet: true, disable_stitch: false });
    expect(row!.maxDurationSec).toBe(600);
  });

  it("S84: a direct-post title the database cannot store (a NUL, a lone surrogate) is refused 400 invalid_request, never a 500", async () => {
    const account = await seedAccount(["user.info.basic", "video.publish"], "title");
    for (const title of ["caption\u0000hidden", "broken \ud800 pair"]) {
      const answer = await startUpload(browser, account.id, { mode: "direct", size: 1000, post: { privacyLevel: "SELF_ONLY", title } });
      expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 400, code: "invalid_request" });
    }
    expect(await h.db.select().from(videoUploads).where(eq(videoUploads.accountId, account.id))).toEqual([]);
    // Line breaks and emoji are a caption's own: still taken.
    expect(startUploadSchema.safeParse({ mode: "direct", size: 1000, post: { privacyLevel: "SELF_ONLY", title: "line one\nline two 🎬" } }).success).toBe(true);
  });

  it("applies the creator's max_video_post_duration_sec (Ben: 180 s) when creator_info is available", async () => {
    const ben = new TestBrowser((await h.signUp("ben-owner")).cookie);
    const benAccount = await connectTikTok(ben, { openId: "sbx-ben-0002" });
    const benId = (await h.auth.api.getSession({ headers: new Headers({ cookie: ben.cookieHeader }) }))!.user.id;
    const options = await (await getUploadServices()).service.postingOptions((await accountsOf(h.db, benId).get(benAccount))!);
    expect(options?.creator?.max_video_post_duration_sec).toBe(180);
    const [row] = await h.db.select().from(videoUploads).where(eq(videoUploads.accountId, benAccount));
    expect(row).toBeUndefined();
    const started = await startUpload(ben, benAccount, { mode: "inbox", size: 1000 });
    const [stored] = await h.db.select().from(videoUploads).where(eq(videoUploads.id, started.body.upload!.id));
    expect(stored!.maxDurationSec).toBe(180);
  });

  it("S67: a creator_info whose max_video_post_duration_sec is past a day (here past int4) is malformed: an inbox upload starts without it, a direct post is refused 503 tiktok_unavailable — never a 500 from the database", async () => {
    const account = await seedAccount(["user.info.basic", "video.upload", "video.publish"], "hostile");
    const tap = installProviderFetchTap({
      intercept: async (exchange, forward) => {
        if (!exchange.url.pathname.includes("/creator_info/")) return undefined;
        const real = (await (await forward()).json()) as { data: Record<string, unknown> };
        return jsonResponse({ ...real, data: { ...real.data, max_video_post_duration_sec: 3_000_000_000 } });
      },
    });
    let inbox, direct;
    try {
      inbox = await startUpload(browser, account.id, { mode: "inbox", size: 1000 });
      direct = await startUpload(browser, account.id, { mode: "direct", size: 1000, post: { privacyLevel: "SELF_ONLY" } });
    } finally {
      tap.restore();
    }
    expect(inbox.status).toBe(201);
    const [stored] = await h.db.select().from(videoUploads).where(eq(videoUploads.id, inbox.body.upload!.id));
    expect(stored!.maxDurationSec).toBeNull(); // SocialFlow's own 10-minute limit applies
    // Never sent: removed, so it does not count against this user's uploads in progress (S53) in later tests.
    await h.db.delete(videoUploads).where(eq(videoUploads.id, stored!.id));
    expect({ status: direct.status, code: direct.body.code, error: direct.body.error }).toEqual({
      status: 503,
      code: "tiktok_unavailable",
      error: "TikTok could not be reached. Try again in a few minutes.",
    });
  });

  it("TikTok refuses a 6th pending share SocialFlow could not count (e.g. sent by another app): FAILED in plain words", async () => {
    const account = await freshInbox("pending");
    h.sandbox.control.queueFault("inbox_init", { kind: "api_error", code: "spam_risk_too_many_pending_share" });
    const { sent } = await uploadFile(browser, account, fixture("valid-portrait.mp4"));
    expect(sent.status).toBe(422);
    expect(sent.body).toMatchObject({ code: "spam_risk_too_many_pending_share", upload: { state: "FAILED", errorCode: "spam_risk_too_many_pending_share" } });
    expect(sent.body.error).toMatch(/5 videos waiting in its TikTok inbox/);
  });

  it("TikTok's rate limit at init: 429 with Retry-After and when to try again", async () => {
    const inboxAccount = await freshInbox("ratelimit");
    h.sandbox.control.queueFault("inbox_init", { kind: "api_error", code: "rate_limit_exceeded", status: 429 });
    const { sent } = await uploadFile(browser, inboxAccount, fixture("valid-portrait.mp4"));
    expect(sent.status).toBe(429);
    expect(sent.body.code).toBe("rate_limited");
    expect(Number(sent.headers.get("retry-after"))).toBeGreaterThan(50);
    expect(Date.parse(sent.body.upload!.retryAt!)).toBeGreaterThan(Date.now() + 50_000);
  });

  it("unaudited app: public accounts cannot direct-post; a private account may post SELF_ONLY only", async () => {
    const control = h.sandbox.control;
    control.setOptions({ clients: [{ ...DEFAULT_CLIENT, redirectUris: [REDIRECT_URI], audited: false }] });
    try {
      const publicAccount = await seedAccount(["user.info.basic", "video.publish"], "unaudited-public");
      const refused = await uploadFile(browser, publicAccount.id, fixture("valid-portrait.mp4"), { mode: "direct", post: { privacyLevel: "PUBLIC_TO_EVERYONE" } });
      expect(refused.sent.status).toBe(422);
      expect(refused.sent.body.code).toBe("unaudited_client_can_only_post_to_private_accounts");
      expect(refused.sent.body.error).toMatch(/private TikTok accounts/);

      const privateAccount = await seedAccount(["user.info.basic", "video.publish"], "unaudited-private");
      const mismatch = await uploadFile(browser, privateAccount.id, fixture("valid-portrait.mp4"), { mode: "direct", post: { privacyLevel: "MUTUAL_FOLLOW_FRIENDS" } });
      expect(mismatch.sent.body.code).toBe("privacy_level_option_mismatch");
      expect(mismatch.sent.body.error).toMatch(/Only me/);

      const ok = await uploadFile(browser, privateAccount.id, fixture("valid-portrait.mp4"), { mode: "direct", post: { privacyLevel: "SELF_ONLY" } });
      expect(ok.sent.status).toBe(202);
      expect(await waitUntilDone(browser, privateAccount.id, ok.uploadId)).toMatchObject({ state: "PUBLISH_COMPLETE" });
    } finally {
      control.setOptions({ clients: [{ ...DEFAULT_CLIENT, redirectUris: [REDIRECT_URI], audited: true }] });
    }
  });

  it("lists the account's past uploads, newest first, with their outcome", async () => {
    const { body } = await listUploads(browser, inboxAccount);
    expect(body.uploads!.length).toBeGreaterThan(5);
    const times = body.uploads!.map((u) => Date.parse(u.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(body.uploads!.map((u) => u.state)).toEqual(expect.arrayContaining(["SEND_TO_USER_INBOX", "REJECTED"]));
    const refused = body.uploads!.find((u) => u.state === "REJECTED")!;
    expect(refused).toMatchObject({ done: true, succeeded: false, errorCode: "invalid_video" });
    expect(refused.problems.length).toBeGreaterThan(0);
  });
});
