/**
 * mediainfo validation has a time limit (issue #11, finding 4): an analysis that never finishes
 * is refused as unreadable, its temporary file removed, and the one process-wide analysis queue
 * moves on. mediainfo.js is wrapped so that the next analysis can be made to hang (it reads one
 * chunk and then never answers), the way a file crafted to send it wandering would.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { getUploadServices } from "@/lib/uploads/runtime";
import { startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { seedConnectedAccounts } from "../helpers/seed-accounts";
import { expectNoTempFiles, fixture, uploadFile, useTestUploadConfig, waitUntilDone } from "./upload-kit";

const hang = vi.hoisted(() => ({ next: false, started: 0 }));

vi.mock("mediainfo.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("mediainfo.js")>();
  const make = real.default as (options: { format: "object"; chunkSize: number }) => Promise<import("mediainfo.js").MediaInfo<"object">>;
  const factory = async (options: { format: "object"; chunkSize: number }) => {
    const mi = await make(options);
    const analyzeData = mi.analyzeData.bind(mi) as (...args: unknown[]) => unknown;
    // mediainfo's promise form calls its callback form through `this`: only the outer call hangs.
    mi.analyzeData = ((...args: unknown[]) => {
      if (args.length > 2 || !hang.next) return analyzeData(...args);
      hang.next = false;
      hang.started += 1;
      const readChunk = args[1] as (length: number, offset: number) => unknown;
      return Promise.resolve(readChunk(1024, 0)).then(() => new Promise(() => undefined)); // never settles
    }) as typeof mi.analyzeData;
    return mi;
  };
  return { ...real, default: factory };
});

describe("validation time limit", () => {
  let h: AppHarness;
  let uploads: Awaited<ReturnType<typeof useTestUploadConfig>>;

  beforeAll(async () => {
    h = await startAppHarness({ sandbox: { statusStepMs: 50, rateLimits: { inbox_init: 1000, status: 1000 } }, env: { RATE_LIMIT_PER_MINUTE: "1000" } });
    // Long enough for a real analysis on a loaded 2-core CI machine (a fresh WASM instance after
    // the hung one included); the hung analysis waits it out once.
    uploads = await useTestUploadConfig({ probeTimeoutMs: 5_000 });
  }, 120_000);
  afterEach(async () => {
    await (await getUploadServices()).service.settled();
    await expectNoTempFiles(uploads.tmpDir);
  });
  afterAll(async () => {
    await uploads?.cleanup();
    await h?.close();
  }, 60_000);

  it("S56: an analysis that never finishes → refused as unreadable, temp file removed, and the next file is checked normally", async () => {
    const signed = await h.signUp();
    const browser = new TestBrowser(signed.cookie);
    const { accounts } = await seedConnectedAccounts({ db: h.db, cipher: getTokenCipher(), sandbox: { control: h.sandbox.control }, count: 1, userId: signed.id, now: new Date(), scopes: ["user.info.basic", "video.upload"] });
    const accountId = accounts[0]!.id;
    const inits = h.sandbox.control.counters().inbox_init;

    hang.next = true;
    const stuck = await uploadFile(browser, accountId, fixture("valid-portrait.mp4"));
    expect(hang.started).toBe(1);
    expect(stuck.sent.status).toBe(422);
    expect(stuck.sent.body).toMatchObject({ code: "invalid_video", upload: { state: "REJECTED", errorCode: "invalid_video", done: true } });
    expect(stuck.sent.body.upload!.problems).toEqual([
      { code: "unreadable", message: "SocialFlow could not finish reading this video in time, so it was not sent. Export the video again as MP4 and try again." },
    ]);
    expect(h.sandbox.control.counters().inbox_init).toBe(inits);
    await expectNoTempFiles(uploads.tmpDir);

    // The hung analysis does not hold the queue: the next files are analysed and sent.
    for (const name of ["valid-portrait.mp4", "valid.webm"]) {
      const next = await uploadFile(browser, accountId, fixture(name));
      expect(next.sent.status).toBe(202);
      expect(await waitUntilDone(browser, accountId, next.uploadId)).toMatchObject({ state: "SEND_TO_USER_INBOX" });
    }
  });
});
