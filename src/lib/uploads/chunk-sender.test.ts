import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { planChunks } from "./chunk-plan";
import { ChunkUploadError, sendChunks } from "./chunk-sender";

describe("sendChunks against an upload host that answers too slowly", () => {
  let dir: string;
  let file: string;
  let server: http.Server | undefined;
  const drips = new Set<NodeJS.Timeout>();

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "sf-chunk-sender-"));
    file = path.join(dir, "video.mp4");
    await writeFile(file, Buffer.alloc(64 * 1024, 7));
  });
  afterEach(async () => {
    for (const t of drips) clearInterval(t);
    drips.clear();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  /** A host that takes the whole chunk, then answers one byte at a time, never finishing. */
  async function drippingHost(): Promise<string> {
    server = http.createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        response.writeHead(201, { "content-type": "text/plain" });
        const drip = setInterval(() => response.write("."), 50);
        drips.add(drip);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/upload`;
  }

  it("S73: an answer dribbled out byte by byte (never idle, never ending) is given up after the chunk time limit, retried, then failed — not waited on forever", async () => {
    const uploadUrl = await drippingHost();
    const sending = sendChunks({
      uploadUrl,
      filePath: file,
      plan: planChunks(64 * 1024),
      contentType: "video/mp4",
      attempts: 2,
      retryBaseMs: 10,
      timeoutMs: 300,
    }).then(
      () => "sent",
      (error: unknown) => error,
    );
    const hung = new Promise((resolve) => setTimeout(() => resolve("still waiting"), 5_000));
    const outcome = await Promise.race([sending, hung]);
    expect(outcome).toBeInstanceOf(ChunkUploadError);
    expect((outcome as ChunkUploadError).code).toBe("chunk_failed");
  });
});
