import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";

export type ReceiveErrorCode = "no_body" | "too_large" | "size_mismatch" | "aborted";

export class ReceiveError extends Error {
  override readonly name = "ReceiveError";
  constructor(readonly code: ReceiveErrorCode) {
    super(`receiving the file failed: ${code}`);
  }
}

/** Counts bytes as they pass and stops the stream the moment the cap is crossed. */
class ByteLimit extends Transform {
  bytes = 0;
  constructor(
    private readonly maxBytes: number,
    private readonly onProgress?: (bytes: number) => void,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(new ReceiveError("too_large"));
      return;
    }
    this.onProgress?.(this.bytes);
    callback(null, chunk);
  }
}

/**
 * Streams a request body into `target` (a new file, owner-only) without ever holding it whole:
 * back-pressure flows from the disk to the socket. A byte more than the cap or than the size
 * announced when the upload was created stops it at once (`too_large` → 413); fewer bytes
 * than announced is `size_mismatch`. On any failure the partial
 * file is removed; on success the caller owns the file and must remove it.
 */
export async function receiveToFile(
  body: ReadableStream<Uint8Array> | null,
  target: string,
  options: { maxBytes: number; expectedBytes: number; onProgress?: (bytes: number) => void },
): Promise<number> {
  if (body === null) throw new ReceiveError("no_body");
  const limit = new ByteLimit(Math.min(options.maxBytes, options.expectedBytes), options.onProgress);
  const file = createWriteStream(target, { flags: "wx", mode: 0o600 });
  // Only a file this call created may be removed ("wx" refuses to open an existing one).
  let created = false;
  file.once("open", () => (created = true));
  try {
    await pipeline(Readable.fromWeb(body as NodeReadableStream<Uint8Array>), limit, file);
  } catch (error) {
    if (created) await rm(target, { force: true });
    throw error instanceof ReceiveError ? error : new ReceiveError("aborted");
  }
  if (limit.bytes !== options.expectedBytes) {
    await rm(target, { force: true });
    throw new ReceiveError("size_mismatch");
  }
  return limit.bytes;
}
