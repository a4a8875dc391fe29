import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { receiveToFile, ReceiveError } from "./receive-file";

/** A body of `total` bytes produced 64 KiB at a time (never present whole). */
function body(total: number, failAfter?: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (failAfter !== undefined && sent >= failAfter) {
        controller.error(new Error("connection reset"));
        return;
      }
      if (sent >= total) {
        controller.close();
        return;
      }
      const n = Math.min(64 * 1024, total - sent);
      controller.enqueue(new Uint8Array(n).fill(sent % 251));
      sent += n;
    },
  });
}

describe("receiveToFile", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "sf-receive-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("writes exactly the announced bytes and reports progress", async () => {
    const target = path.join(dir, "ok.upload");
    const seen: number[] = [];
    expect(await receiveToFile(body(300_000), target, { maxBytes: 1_000_000, expectedBytes: 300_000, onProgress: (b) => seen.push(b) })).toBe(300_000);
    expect((await readFile(target)).length).toBe(300_000);
    expect(seen.at(-1)).toBe(300_000);
  });

  it("stops at the first byte over the cap (too_large) without reading the rest, and removes the partial file", async () => {
    const target = path.join(dir, "big.upload");
    const seen: number[] = [];
    const error = await receiveToFile(body(50 * 1024 * 1024), target, { maxBytes: 1_000_000, expectedBytes: 1_000_000, onProgress: (b) => seen.push(b) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReceiveError);
    expect((error as ReceiveError).code).toBe("too_large");
    expect(Math.max(...seen)).toBeLessThanOrEqual(1_000_000);
    expect(existsSync(target)).toBe(false);
  });

  it("more than announced (under the cap) is too_large too; fewer is size_mismatch", async () => {
    const over = await receiveToFile(body(2000), path.join(dir, "over.upload"), { maxBytes: 10_000, expectedBytes: 1000 }).catch((e: unknown) => e);
    expect((over as ReceiveError).code).toBe("too_large");
    const under = await receiveToFile(body(500), path.join(dir, "under.upload"), { maxBytes: 10_000, expectedBytes: 1000 }).catch((e: unknown) => e);
    expect((under as ReceiveError).code).toBe("size_mismatch");
    expect(existsSync(path.join(dir, "under.upload"))).toBe(false);
  });

  it("a body that breaks off is 'aborted' and leaves no file; no body at all is no_body", async () => {
    const target = path.join(dir, "cut.upload");
    const error = await receiveToFile(body(1_000_000, 200_000), target, { maxBytes: 2_000_000, expectedBytes: 1_000_000 }).catch((e: unknown) => e);
    expect((error as ReceiveError).code).toBe("aborted");
    expect(existsSync(target)).toBe(false);
    expect(((await receiveToFile(null, target, { maxBytes: 1, expectedBytes: 1 }).catch((e: unknown) => e)) as ReceiveError).code).toBe("no_body");
  });

  it("never overwrites an existing file", async () => {
    const target = path.join(dir, "ok.upload");
    const error = await receiveToFile(body(10), target, { maxBytes: 100, expectedBytes: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReceiveError);
    expect((await readFile(target)).length).toBe(300_000);
  });
});
