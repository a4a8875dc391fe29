import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { videoUploads } from "@/lib/db/schema";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { getUploadServices } from "@/lib/uploads/runtime";
import { startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { connectTikTok } from "../helpers/connect-flow";
import { seedConnectedAccounts } from "../helpers/seed-accounts";
import { writePaddedVideo } from "../fixtures/padded-video";
import { expectNoTempFiles, MB, uploadFile, useTestUploadConfig, waitForUpload, waitUntilDone } from "./upload-kit";

async function sha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Sending the chunks to TikTok's upload_url (media transfer guide): in order, with
 * Content-Range; 5xx and network failures retried per chunk; 403/404/400/416 answered with a
 * clear outcome. A 12 MB video in 5 MB chunks is two chunks: 0–5 MB and 5–12 MB.
 */
describe("sending chunks to the sandbox's upload URL", () => {
  let h: AppHarness;
  let uploads: Awaited<ReturnType<typeof useTestUploadConfig>>;
  let browser: TestBrowser;
  let userId: string;
  let accountId: string;
  let connected: string;
  let dir: string;
  let twoChunks: string;
  let sixChunks: string;

  beforeAll(async () => {
    h = await startAppHarness({ sandbox: { statusStepMs: 50, rateLimits: { inbox_init: 1000, status: 1000 } }, env: { RATE_LIMIT_PER_MINUTE: "1000" } });
    // A chunk idle for 2 s counts as hung (the kit default): short enough for the hang test, long
    // enough that a loaded machine does not produce extra retries the counts below would see.
    uploads = await useTestUploadConfig({ chunkBytes: 5 * MB });
    const user = await h.signUp("chunker");
    browser = new TestBrowser(user.cookie);
    userId = user.id;
    connected = await connectTikTok(browser);
    dir = await mkdtemp(path.join(os.tmpdir(), "sf-chunks-"));
    twoChunks = path.join(dir, "12mb.mp4");
    sixChunks = path.join(dir, "32mb.mp4");
    await writePaddedVideo(twoChunks, 12 * MB);
    await writePaddedVideo(sixChunks, 32 * MB);
  }, 120_000); // a harness, a sign-up and a connect: slow on a loaded CI machine
  // A fresh account per test: TikTok keeps at most 5 pending shares per inbox a day.
  let first = true;
  beforeEach(async () => {
    if (first) {
      accountId = connected;
      first = false;
      return;
    }
    const seeded = await seedConnectedAccounts({ db: h.db, cipher: getTokenCipher(), sandbox: { control: h.sandbox.control }, count: 1, userId, now: new Date() });
    accountId = seeded.accounts[0]!.id;
  });
  afterEach(async () => {
    h.sandbox.control.clearFaults();
    await (await getUploadServices()).service.settled();
    await expectNoTempFiles(uploads.tmpDir);
  });
  afterAll(async () => {
    await uploads?.cleanup();
    await h?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  async function publishIdOf(uploadId: string): Promise<string> {
    const [row] = await h.db.select().from(videoUploads).where(eq(videoUploads.id, uploadId));
    return row!.publishId!;
  }

  function uploadRequests(): number {
    return h.sandbox.control.counters().upload;
  }

  it("sends two chunks in order and TikTok has exactly the file's bytes", async () => {
    const before = uploadRequests();
    const { sent, uploadId } = await uploadFile(browser, accountId, twoChunks);
    expect(sent.status).toBe(202);
    expect(await waitUntilDone(browser, accountId, uploadId)).toMatchObject({ state: "SEND_TO_USER_INBOX", bytesSent: 12 * MB });
    const atTikTok = h.sandbox.control.upload(await publishIdOf(uploadId))!;
    expect(atTikTok).toMatchObject({ videoSize: 12 * MB, receivedBytes: 12 * MB, chunksReceived: 2, totalChunkCount: 2 });
    expect(atTikTok.sha256).toBe(await sha256(twoChunks));
    expect(uploadRequests() - before).toBe(2);
  });

  it("retries a chunk that failed with a 5xx, then completes", async () => {
    h.sandbox.control.queueFault("upload", { kind: "status", status: 500 });
    h.sandbox.control.queueFault("upload", { kind: "status", status: 503 }, 2);
    const before = uploadRequests();
    const { uploadId } = await uploadFile(browser, accountId, twoChunks);
    expect(await waitUntilDone(browser, accountId, uploadId)).toMatchObject({ state: "SEND_TO_USER_INBOX" });
    expect(uploadRequests() - before).toBe(5);
    expect(h.sandbox.control.upload(await publishIdOf(uploadId))!.sha256).toBe(await sha256(twoChunks));
  });

  it("retries a chunk whose connection hung (timeout), then completes", async () => {
    h.sandbox.control.queueFault("upload", { kind: "hang" });
    const { uploadId } = await uploadFile(browser, accountId, twoChunks);
    expect(await waitUntilDone(browser, accountId, uploadId)).toMatchObject({ state: "SEND_TO_USER_INBOX" });
    expect(h.sandbox.control.upload(await publishIdOf(uploadId))!.sha256).toBe(await sha256(twoChunks));
  });

  it("gives up after 4 attempts of one chunk: FAILED chunk_failed, in plain words", async () => {
    h.sandbox.control.queueFault("upload", { kind: "status", status: 502 }, 4);
    const before = uploadRequests();
    const { uploadId } = await uploadFile(browser, accountId, twoChunks);
    const done = await waitUntilDone(browser, accountId, uploadId);
    expect(done).toMatchObject({ state: "FAILED", errorCode: "chunk_failed", succeeded: false });
    expect(done.message).toMatch(/kept failing .* even after retries/);
    expect(uploadRequests() - before).toBe(4);
  });

  it("416 once: asks TikTok where it is (uploaded_bytes), resumes from there and completes", async () => {
    h.sandbox.control.queueFault("upload", { kind: "status", status: 416 });
    const statusBefore = h.sandbox.control.counters().status;
    const { uploadId } = await uploadFile(browser, accountId, twoChunks);
    expect(await waitUntilDone(browser, accountId, uploadId)).toMatchObject({ state: "SEND_TO_USER_INBOX" });
    expect(h.sandbox.control.upload(await publishIdOf(uploadId))!.sha256).toBe(await sha256(twoChunks));
    expect(h.sandbox.control.counters().status - statusBefore).toBeGreaterThanOrEqual(2); // resync + polling
  });

  it("416 that persists: FAILED range_mismatch after the bounded resyncs", async () => {
    h.sandbox.control.queueFault("upload", { kind: "status", status: 416 }, 10);
    const { uploadId } = await uploadFile(browser, accountId, twoChunks);
    const done = await waitUntilDone(browser, accountId, uploadId);
    expect(done).toMatchObject({ state: "FAILED", errorCode: "range_mismatch" });
    expect(done.message).toMatch(/disagreed on which part of the file came next/);
  });

  it.each([
    [400, "chunk_rejected", /malformed/],
    [404, "upload_not_found", /no longer knew this upload/],
    [403, "upload_url_expired", /upload link expired/],
  ])("HTTP %i from the upload URL: FAILED %s, not retried", async (status, code, words) => {
    h.sandbox.control.queueFault("upload", { kind: "status", status });
    const before = uploadRequests();
    const { uploadId } = await uploadFile(browser, accountId, twoChunks);
    const done = await waitUntilDone(browser, accountId, uploadId);
    expect(done).toMatchObject({ state: "FAILED", errorCode: code });
    expect(done.message).toMatch(words);
    expect(uploadRequests() - before).toBe(1);
  });

  it("shows bytes sent to TikTok growing while the chunks go out", async () => {
    h.sandbox.control.queueFault("upload", { kind: "delay", ms: 150 }, 6);
    const { uploadId } = await uploadFile(browser, accountId, sixChunks);
    const seen: number[] = [];
    await waitForUpload(browser, accountId, uploadId, (view) => {
      seen.push(view.bytesSent);
      return view.done;
    });
    const middle = seen.filter((b) => b > 0 && b < 32 * MB);
    expect(middle.length).toBeGreaterThan(2);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen); // never goes backwards
    expect(seen.at(-1)).toBe(32 * MB);
  });

  it("an upload URL past its hour (sandbox clock moved on mid-transfer) ends FAILED upload_url_expired", async () => {
    // The first chunk is held 300 ms at the sandbox; meanwhile its clock passes the URL's hour.
    h.sandbox.control.queueFault("upload", { kind: "delay", ms: 300 });
    const { sent, uploadId } = await uploadFile(browser, accountId, twoChunks);
    expect(sent.status).toBe(202);
    h.sandbox.control.advanceTime(60 * 60_000 + 1_000);
    const done = await waitUntilDone(browser, accountId, uploadId);
    expect(done).toMatchObject({ state: "FAILED", errorCode: "upload_url_expired" });
    expect(done.message).toBe("TikTok's upload link expired before the video was sent (it lasts one hour). Upload it again.");
  });
});
