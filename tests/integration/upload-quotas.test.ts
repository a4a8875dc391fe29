/**
 * Upload quotas and the upload URL check (issue #11, findings 4 and 7), through the real routes
 * against the TikTok sandbox, on PGlite and (TEST_DATABASE_URL) PostgreSQL.
 */
import { randomBytes } from "node:crypto";
import { readFile, readdir, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq, inArray } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PUT as fileRoute } from "@/app/api/accounts/[accountId]/uploads/[uploadId]/file/route";
import { openDatabase } from "@/lib/db/client";
import { videoUploads, type VideoUploadRow } from "@/lib/db/schema";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { ERROR_MESSAGES } from "@/lib/uploads/outcome-messages";
import { getUploadServices } from "@/lib/uploads/runtime";
import { setUploadConfigForTests, type UploadConfig } from "@/lib/uploads/upload-config";
import { admitAnnouncement, ANNOUNCED_HOLD_MS } from "@/lib/uploads/upload-quotas";
import { APP_URL, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { captureLogs, type LogCapture } from "../helpers/log-capture";
import { seedConnectedAccounts } from "../helpers/seed-accounts";
import { expectNoTempFiles, fixture, putFile, startUpload, uploadFile, useTestUploadConfig, waitUntilDone, type RouteAnswer } from "./upload-kit";

const VIDEO = fixture("valid-portrait.mp4");
const INBOX = ["user.info.basic", "video.list", "video.upload"];
const IN_PROGRESS = "You already have 2 uploads in progress — wait for one to finish, then try again.";

describe("upload quotas and the upload URL", () => {
  let h: AppHarness;
  let logs: LogCapture;
  let uploads: Awaited<ReturnType<typeof useTestUploadConfig>>;
  let video: Buffer;

  beforeAll(async () => {
    logs = captureLogs("info");
    h = await startAppHarness({ sandbox: { statusStepMs: 50, rateLimits: { inbox_init: 1000, status: 1000 } }, env: { RATE_LIMIT_PER_MINUTE: "5000" } });
    uploads = await useTestUploadConfig();
    video = await readFile(VIDEO);
  }, 120_000);
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

  /** A new signed-in user (every test its own: quotas are per user) and `count` inbox accounts. */
  async function newUser(count = 1, scopes = INBOX) {
    const signed = await h.signUp();
    const { accounts } = await seedConnectedAccounts({ db: h.db, cipher: getTokenCipher(), sandbox: { control: h.sandbox.control }, count, userId: signed.id, now: new Date(), scopes });
    return { userId: signed.id, browser: new TestBrowser(signed.cookie), accounts: accounts.map((a) => a.id) };
  }

  async function rowOf(id: string): Promise<VideoUploadRow> {
    const [row] = await h.db.select().from(videoUploads).where(eq(videoUploads.id, id));
    return row!;
  }

  /** A row written as an earlier request (or another instance) left it. */
  async function insertRow(values: Partial<VideoUploadRow> & Pick<VideoUploadRow, "accountId" | "userId" | "state">, ageMs = 0): Promise<string> {
    const at = new Date(Date.now() - ageMs);
    const id = randomBytes(12).toString("base64url");
    await h.db.insert(videoUploads).values({ id, mode: "inbox", totalBytes: video.length, createdAt: at, updatedAt: at, ...values });
    return id;
  }

  /**
   * PUT the fixture whose body the test controls: the first KB is sent, the rest waits for
   * release(). `read()` says whether the route ever pulled a byte of it.
   */
  function heldPut(browser: TestBrowser, accountId: string, uploadId: string) {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let reads = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          reads += 1;
          if (reads === 1) return controller.enqueue(video.subarray(0, 1024));
          await released;
          controller.enqueue(video.subarray(1024));
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    const request = browser.request(`${APP_URL}/api/accounts/${accountId}/uploads/${uploadId}/file`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "content-length": String(video.length) },
      body,
      duplex: "half",
    } as RequestInit & { origin?: string | null });
    const answer = fileRoute(request, { params: Promise.resolve({ accountId, uploadId }) }).then(
      async (response): Promise<RouteAnswer> => ({ status: response.status, body: (await response.json()) as RouteAnswer["body"], headers: response.headers }),
    );
    return { answer, release, read: () => reads > 0 };
  }

  async function statesOf(ids: string[]): Promise<string[]> {
    return Promise.all(ids.map(async (id) => (await rowOf(id)).state));
  }

  async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  describe("per user: 2 uploads in progress", () => {
    it("S53: five announcements at once over two accounts → exactly 2 accepted; the rest 429 in plain words, nothing stored", async () => {
      const { userId, browser, accounts } = await newUser(2);
      const answers = await Promise.all(
        [0, 1, 2, 3, 4].map((i) => startUpload(browser, accounts[i % 2]!, { mode: "inbox", size: video.length, type: "video/mp4" })),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 429, 429, 429]);
      for (const refused of answers.filter((a) => a.status === 429)) {
        expect(refused.body).toEqual({ error: IN_PROGRESS, code: "too_many_uploads_in_progress" });
      }
      expect(await h.db.select().from(videoUploads).where(eq(videoUploads.userId, userId))).toHaveLength(2);
    });

    it("S53: with 2 files arriving, a third announcement is refused, and a late file body is refused before a byte of it is read", async () => {
      const { userId, browser, accounts } = await newUser();
      const accountId = accounts[0]!;
      // An announcement from a while ago whose file never came: it no longer holds a slot…
      const late = await insertRow({ accountId, userId, state: "AWAITING_FILE" }, ANNOUNCED_HOLD_MS + 60_000);
      const a = await startUpload(browser, accountId, { mode: "inbox", size: video.length });
      const b = await startUpload(browser, accountId, { mode: "inbox", size: video.length });
      expect([a.status, b.status]).toEqual([201, 201]);
      const ids = [a.body.upload!.id, b.body.upload!.id];
      const sending = ids.map((id) => heldPut(browser, accountId, id));
      await until(async () => (await statesOf(ids)).every((s) => s === "RECEIVING"), "both files arriving");
      // RECEIVING is written before the first bytes are pulled and the file opened: wait for both.
      await until(async () => sending.every((put) => put.read()) && (await readdir(uploads.tmpDir)).length === ids.length, "both files on disk");

      const third = await startUpload(browser, accountId, { mode: "inbox", size: video.length });
      expect(third.status).toBe(429);
      expect(third.body).toEqual({ error: IN_PROGRESS, code: "too_many_uploads_in_progress" });

      // …but its file body, arriving now, is checked again: refused, the upload failed, nothing read.
      const lateBody = heldPut(browser, accountId, late);
      const refused = await lateBody.answer;
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: "too_many_uploads_in_progress", error: IN_PROGRESS, upload: { state: "FAILED", errorCode: "too_many_uploads_in_progress", message: IN_PROGRESS } });
      expect(lateBody.read()).toBe(false);
      expect((await readdir(uploads.tmpDir)).sort()).toEqual(ids.map((id) => `${id}.upload`).sort());
      lateBody.release();

      for (const put of sending) put.release();
      const sent = await Promise.all(sending.map((put) => put.answer));
      expect(sent.map((s) => s.status)).toEqual([202, 202]);
      for (const id of ids) expect(await waitUntilDone(browser, accountId, id)).toMatchObject({ state: "SEND_TO_USER_INBOX" });
      // Both slots are free again.
      expect((await startUpload(browser, accountId, { mode: "inbox", size: video.length })).status).toBe(201);
    });

    it("S53: three file bodies racing for two slots → exactly 2 received, 1 refused", async () => {
      const { userId, browser, accounts } = await newUser(3);
      const ids = await Promise.all(accounts.map((accountId) => insertRow({ accountId, userId, state: "AWAITING_FILE" }, ANNOUNCED_HOLD_MS + 60_000)));
      const puts = ids.map((id, i) => heldPut(browser, accounts[i]!, id));
      const settled: RouteAnswer[] = [];
      for (const put of puts) void put.answer.then((a) => settled.push(a));
      await until(async () => (await statesOf(ids)).filter((s) => s === "RECEIVING").length + settled.length === 3, "every body admitted or refused");
      expect(settled.map((a) => [a.status, a.body.code])).toEqual([[429, "too_many_uploads_in_progress"]]);
      expect((await statesOf(ids)).sort()).toEqual(["FAILED", "RECEIVING", "RECEIVING"]);
      for (const put of puts) put.release();
      await Promise.all(puts.map((p) => p.answer));
    });

    it("S53: two instances (separate connection pools) admitting at once never give a user more than 2", async () => {
      const { userId, accounts } = await newUser();
      const second = h.database.url ? await openDatabase({ url: h.database.url, max: 10 }) : undefined;
      try {
        const dbs = [h.db, second?.db ?? h.db];
        const limits = { tmpMaxBytes: 1e15, userTmpShareBytes: 1e15, staleAfterMs: 15 * 60_000 };
        const results = await Promise.all(
          Array.from({ length: 16 }, (_, i) =>
            admitAnnouncement(dbs[i % 2]!, { id: `race-${i}-${randomBytes(4).toString("hex")}`, accountId: accounts[0]!, userId, mode: "direct", totalBytes: 10 }, limits, new Date()),
          ),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(2);
        expect(new Set(results.filter((r) => !r.ok).map((r) => !r.ok && r.refusal.code))).toEqual(new Set(["too_many_uploads_in_progress"]));
      } finally {
        await second?.close();
      }
    });
  });

  describe("per account: TikTok's 5 pending shares", () => {
    it("S54: the 6th inbox upload of the day is refused at announce — before TikTok is asked, before any byte — with when to try again", async () => {
      const { userId, browser, accounts } = await newUser();
      const accountId = accounts[0]!;
      for (let i = 0; i < 5; i++) {
        const { sent, uploadId } = await uploadFile(browser, accountId, VIDEO);
        expect(sent.status).toBe(202);
        expect(await waitUntilDone(browser, accountId, uploadId)).toMatchObject({ state: "SEND_TO_USER_INBOX" });
      }
      const inits = h.sandbox.control.counters().inbox_init;
      const sixth = await startUpload(browser, accountId, { mode: "inbox", size: video.length });
      expect(sixth.status).toBe(429);
      expect(sixth.body).toEqual({ error: ERROR_MESSAGES.pending_share_limit, code: "pending_share_limit" });
      expect(sixth.body.error).toMatch(/at most 5 videos waiting in an account's inbox per 24 hours/);
      // The oldest of the five leaves the 24 h window in about a day.
      expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThan(24 * 3600 - 120);
      expect(Number(sixth.headers.get("retry-after"))).toBeLessThanOrEqual(24 * 3600);
      expect(h.sandbox.control.counters().inbox_init).toBe(inits);
      expect(await h.db.select().from(videoUploads).where(eq(videoUploads.userId, userId))).toHaveLength(5);
    });

    it("S54: counts what TikTok counts — inbox shares of the last 24 h it holds or is about to — and nothing else", async () => {
      const { userId, browser, accounts } = await newUser(2);
      const [accountId, other] = accounts as [string, string];
      const row = (values: Partial<VideoUploadRow> & Pick<VideoUploadRow, "state">, ageMs = 60_000) => insertRow({ accountId, userId, publishId: `p-${randomBytes(4).toString("hex")}`, ...values }, ageMs);
      // Counted (4): in the inbox, being processed, and one whose sending failed on our side after
      // TikTok's init (TikTok still holds that share: it never reported it FAILED).
      await row({ state: "SEND_TO_USER_INBOX" });
      await row({ state: "SEND_TO_USER_INBOX" }, 23 * 3600_000);
      await row({ state: "PROCESSING_UPLOAD" });
      await row({ state: "FAILED", errorCode: "chunk_failed" });
      // Not counted: older than 24 h, refused by us, failed at TikTok, failed before init,
      // a direct post, another account's.
      await row({ state: "SEND_TO_USER_INBOX" }, 25 * 3600_000);
      await row({ state: "REJECTED", publishId: null, errorCode: "invalid_video" });
      await row({ state: "FAILED", failReason: "file_format_check_failed" });
      await row({ state: "FAILED", publishId: null, errorCode: "spam_risk_too_many_posts" });
      await row({ state: "PUBLISH_COMPLETE", mode: "direct" });
      await insertRow({ accountId: other, userId, state: "SEND_TO_USER_INBOX", publishId: "p-other" }, 60_000);

      const fifth = await startUpload(browser, accountId, { mode: "inbox", size: video.length });
      expect(fifth.status).toBe(201);
      // The announced one is on its way to TikTok: it takes the 5th place.
      const sixth = await startUpload(browser, accountId, { mode: "inbox", size: video.length });
      expect([sixth.status, sixth.body.code]).toEqual([429, "pending_share_limit"]);
      expect((await startUpload(browser, other, { mode: "inbox", size: video.length })).status).toBe(201);
    });

    it("S54: two announcements racing for the last place → exactly one accepted", async () => {
      const { userId, browser, accounts } = await newUser();
      const accountId = accounts[0]!;
      for (let i = 0; i < 4; i++) await insertRow({ accountId, userId, state: "SEND_TO_USER_INBOX", publishId: `p-${i}` }, 60_000);
      const answers = await Promise.all([0, 1].map(() => startUpload(browser, accountId, { mode: "inbox", size: video.length })));
      expect(answers.map((a) => [a.status, a.body.code]).sort()).toEqual([
        [201, undefined],
        [429, "pending_share_limit"],
      ]);
    });
  });

  describe("the temporary-disk budget (UPLOAD_TMP_MAX_BYTES)", () => {
    /**
     * A quiet deployment with these disk limits: the announcements earlier tests left behind
     * (still holding their place on the budget) are closed first. The limits end with the test.
     */
    async function quietDeployment(limits: Pick<UploadConfig, "tmpMaxBytes"> & Partial<Pick<UploadConfig, "maxBytes">>) {
      await h.db.update(videoUploads).set({ state: "FAILED", errorCode: "interrupted" }).where(inArray(videoUploads.state, ["AWAITING_FILE", "RECEIVING", "VALIDATING", "UPLOADING"]));
      setUploadConfigForTests({ tmpDir: uploads.tmpDir, pollIntervalMs: 20, ...limits });
    }
    afterEach(() => setUploadConfigForTests({ tmpDir: uploads.tmpDir, pollIntervalMs: 20 }));

    it("S55: an announcement that would take the files on disk past the budget is refused: 503, Retry-After, plain words", async () => {
      const { userId: otherUser, accounts: otherAccounts } = await newUser();
      const { browser, accounts } = await newUser();
      await quietDeployment({ tmpMaxBytes: 10_000 });
      // Another user's files on disk: one being sent (6,000 bytes). Not on disk any more: one
      // in TikTok's hands, one whose process died 20 min ago (the stale sweep's business).
      await insertRow({ accountId: otherAccounts[0]!, userId: otherUser, state: "UPLOADING", mode: "direct", totalBytes: 6_000 });
      await insertRow({ accountId: otherAccounts[0]!, userId: otherUser, state: "PROCESSING_UPLOAD", mode: "direct", totalBytes: 9_000 });
      await insertRow({ accountId: otherAccounts[0]!, userId: otherUser, state: "UPLOADING", mode: "direct", totalBytes: 9_000 }, 20 * 60_000);

      const refused = await startUpload(browser, accounts[0]!, { mode: "inbox", size: 4_001 });
      expect(refused.status).toBe(503);
      expect(refused.body).toEqual({ error: ERROR_MESSAGES.upload_disk_full, code: "upload_disk_full" });
      expect(refused.body.error).toMatch(/Try again in a few minutes/);
      expect(refused.headers.get("retry-after")).toBe("60");

      const fits = await startUpload(browser, accounts[0]!, { mode: "inbox", size: 4_000 });
      expect(fits.status).toBe(201);
      // Announced bytes count too: the next one no longer fits.
      expect((await startUpload(browser, accounts[0]!, { mode: "inbox", size: 1 })).status).toBe(503);
      await h.db.delete(videoUploads).where(eq(videoUploads.userId, otherUser));
    });

    it("S77: one user's files on disk are held to their share (the budget less one largest file): past it 429 upload_disk_share_full, though both their upload slots are free; another user's largest upload is still admitted and sent, and the whole budget still ends in upload_disk_full", async () => {
      const largest = video.length;
      const hog = await newUser();
      const other = await newUser();
      // Room for three files of the largest size: one user's share is two.
      await quietDeployment({ maxBytes: largest, tmpMaxBytes: 3 * largest });
      try {
        // Two of the user's files being sent to TikTok (slowly): on disk, but holding neither of
        // the user's 2 slots for uploads in progress.
        for (let i = 0; i < 2; i++) await insertRow({ accountId: hog.accounts[0]!, userId: hog.userId, state: "UPLOADING", mode: "direct", totalBytes: largest });
        const late = await insertRow({ accountId: hog.accounts[0]!, userId: hog.userId, state: "AWAITING_FILE", totalBytes: largest }, ANNOUNCED_HOLD_MS + 60_000);

        const refused = await startUpload(hog.browser, hog.accounts[0]!, { mode: "inbox", size: largest });
        expect(refused.status).toBe(429);
        expect(refused.body).toEqual({ error: ERROR_MESSAGES.upload_disk_share_full, code: "upload_disk_share_full" });
        expect(refused.body.error).toMatch(/your share of SocialFlow's upload space/);
        expect(refused.headers.get("retry-after")).toBe("60");
        // A file body arriving for an older announcement is refused the same way, before a byte is read.
        const lateBody = heldPut(hog.browser, hog.accounts[0]!, late);
        const lateRefused = await lateBody.answer;
        expect(lateRefused.status).toBe(429);
        expect(lateRefused.body).toMatchObject({
          code: "upload_disk_share_full",
          upload: { state: "FAILED", errorCode: "upload_disk_share_full", message: ERROR_MESSAGES.upload_disk_share_full },
        });
        expect(lateBody.read()).toBe(false);
        lateBody.release();

        // Everyone else still has room for a file of the largest size…
        const admitted = await startUpload(other.browser, other.accounts[0]!, { mode: "inbox", size: largest });
        expect(admitted.status).toBe(201);
        // …and the budget as a whole is still enforced: now full, though this user's share is not.
        const full = await startUpload(other.browser, other.accounts[0]!, { mode: "inbox", size: 1 });
        expect([full.status, full.body.code, full.headers.get("retry-after")]).toEqual([503, "upload_disk_full", "60"]);

        const uploadId = admitted.body.upload!.id;
        expect((await putFile(other.browser, other.accounts[0]!, uploadId, VIDEO)).status).toBe(202);
        expect(await waitUntilDone(other.browser, other.accounts[0]!, uploadId)).toMatchObject({ state: "SEND_TO_USER_INBOX" });
      } finally {
        await h.db.delete(videoUploads).where(eq(videoUploads.userId, hog.userId));
      }
    });

    it("S77: a budget with room for fewer than two largest files is one user's whole share: they may fill it, and then everyone else gets upload_disk_full", async () => {
      const largest = video.length;
      const hog = await newUser();
      const other = await newUser();
      const tmpMaxBytes = largest + Math.floor(largest / 2);
      await quietDeployment({ maxBytes: largest, tmpMaxBytes });
      try {
        await insertRow({ accountId: hog.accounts[0]!, userId: hog.userId, state: "UPLOADING", mode: "direct", totalBytes: largest });
        // Keeping a largest file back would leave this user less than one: the rest is theirs too.
        expect((await startUpload(hog.browser, hog.accounts[0]!, { mode: "inbox", size: tmpMaxBytes - largest })).status).toBe(201);
        const refused = await startUpload(other.browser, other.accounts[0]!, { mode: "inbox", size: 1 });
        expect([refused.status, refused.body.code]).toEqual([503, "upload_disk_full"]);
        // The user who filled it is told the files are their own.
        const own = await startUpload(hog.browser, hog.accounts[0]!, { mode: "inbox", size: 1 });
        expect([own.status, own.body.code]).toEqual([429, "upload_disk_share_full"]);
      } finally {
        await h.db.delete(videoUploads).where(eq(videoUploads.userId, hog.userId));
      }
    });
  });

  describe("upload_url from TikTok's init answer", () => {
    let trap: Server;
    let trapHits = 0;
    let trapUrl: string;
    beforeAll(async () => {
      trap = createServer((req, res) => {
        trapHits += 1;
        req.resume();
        req.on("end", () => res.writeHead(201).end());
      });
      await new Promise<void>((resolve) => trap.listen(0, "127.0.0.1", resolve));
      trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}/steal?upload_token=trap-secret`;
    });
    afterAll(() => new Promise<void>((resolve) => trap.close(() => resolve())));

    it.each([
      ["another port on the sandbox's host", () => trapUrl],
      ["plain http on TikTok's upload host", () => "http://open-upload.tiktokapis.com/video/?upload_id=1&upload_token=trap-secret"],
      ["a look-alike host", () => "https://open-upload.tiktokapis.com.evil.example/video/?upload_token=trap-secret"],
      ["a host that merely ends like TikTok's", () => "https://eviltiktokapis.com/video/?upload_token=trap-secret"],
      ["user info before TikTok's host", () => "https://trap-secret@open-upload.tiktokapis.com/video/"],
      ["another scheme", () => "file:///etc/passwd?upload_token=trap-secret"],
    ])("S57: an upload_url on %s: the upload fails with a fixed code, nothing is PUT anywhere, the URL is not logged", async (_name, hostile) => {
      const { browser, accounts } = await newUser();
      const accountId = accounts[0]!;
      h.sandbox.control.queueFault("inbox_init", { kind: "upload_url", url: hostile() });
      const before = { trap: trapHits, sandbox: h.sandbox.control.counters().upload };
      const { sent, uploadId } = await uploadFile(browser, accountId, VIDEO);
      expect(sent.status).toBe(502);
      expect(sent.body).toMatchObject({ code: "upload_url_refused", upload: { state: "FAILED", errorCode: "upload_url_refused", done: true } });
      expect(sent.body.error).toBe(ERROR_MESSAGES.upload_url_refused);
      await (await getUploadServices()).service.settled();
      expect(trapHits).toBe(before.trap);
      expect(h.sandbox.control.counters().upload).toBe(before.sandbox);
      expect((await stat(uploads.tmpDir)).isDirectory()).toBe(true);
      expect(logs.entries().some((e) => e.event === "upload.url_refused" && e.uploadId === uploadId)).toBe(true);
      expect(logs.text()).not.toContain("trap-secret");
      expect(JSON.stringify(sent.body)).not.toContain("trap-secret");
    });

    it("S57: the sandbox's own upload URL (TIKTOK_API_BASE_URL's origin) is still used", async () => {
      const { browser, accounts } = await newUser();
      const { sent, uploadId } = await uploadFile(browser, accounts[0]!, VIDEO);
      expect(sent.status).toBe(202);
      expect(await waitUntilDone(browser, accounts[0]!, uploadId)).toMatchObject({ state: "SEND_TO_USER_INBOX" });
    });
  });
});
