import { createReadStream } from "node:fs";
import http from "node:http";
import https from "node:https";
import { contentRange, type ChunkPlan } from "./chunk-plan";
import type { VideoContentType } from "./video-rules";

/**
 * How sending the chunks ended when it did not complete. Upload-URL answers per TikTok's media
 * transfer guide (https://developers.tiktok.com/doc/content-posting-api-reference-upload-video): 403 the URL expired (it lives 1 h), 404 unknown upload,
 * 400 malformed request, 416 range mismatch; 5xx and network failures are retried per chunk.
 */
export type ChunkFailureCode = "upload_url_expired" | "upload_not_found" | "chunk_rejected" | "range_mismatch" | "chunk_failed";

export class ChunkUploadError extends Error {
  override readonly name = "ChunkUploadError";
  constructor(
    readonly code: ChunkFailureCode,
    readonly status?: number,
  ) {
    super(`sending chunks failed: ${code}${status ? ` (HTTP ${status})` : ""}`);
  }
}

export interface SendChunksOptions {
  /** TikTok's upload_url: a capability — never logged, never stored. */
  uploadUrl: string;
  filePath: string;
  plan: ChunkPlan;
  contentType: VideoContentType;
  /** Bytes TikTok has taken so far, including the part of the chunk in flight. */
  onProgress?: (bytes: number) => void;
  /** Attempts per chunk in total (first try included) for 5xx and network failures. */
  attempts?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A socket idle this long during a chunk counts as a network failure. */
  timeoutMs?: number;
  /**
   * After a 416, where TikTok really is (status fetch's uploaded_bytes): a chunk whose answer
   * was lost may have arrived after all. Undefined when unknown.
   */
  resync?: () => Promise<number | undefined>;
  sleep?: (ms: number) => Promise<void>;
}

const RESYNCS = 2;
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends the file's chunks in order (TikTok requires sequential chunks), each streamed from the
 * file with `Content-Type`, `Content-Length` and `Content-Range: bytes FIRST-LAST/TOTAL`.
 * Resolves when TikTok answers 201 to the last chunk.
 */
export async function sendChunks(options: SendChunksOptions): Promise<void> {
  const { plan, onProgress } = options;
  const attempts = options.attempts ?? 4;
  const sleep = options.sleep ?? defaultSleep;
  const url = new URL(options.uploadUrl);
  const agent = url.protocol === "https:" ? new https.Agent({ keepAlive: true, maxSockets: 1 }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
  let resyncsLeft = RESYNCS;
  try {
    let index = 0;
    while (index < plan.chunks.length) {
      const chunk = plan.chunks[index]!;
      let status: number | undefined;
      for (let attempt = 1; ; attempt++) {
        try {
          status = await putChunk(url, agent, options, chunk.first, chunk.last, (sent) => onProgress?.(chunk.first + sent));
        } catch {
          status = undefined; // network failure or timeout: same as a 5xx
        }
        const retryable = status === undefined || status >= 500 || status === 429;
        if (!retryable || attempt >= attempts) break;
        onProgress?.(chunk.first);
        const step = Math.min(options.retryMaxMs ?? 8_000, (options.retryBaseMs ?? 1_000) * 2 ** (attempt - 1));
        await sleep(Math.round(step / 2 + (Math.random() * step) / 2));
      }
      if (status === 201) {
        onProgress?.(plan.videoSize);
        return;
      }
      if (status === 206) {
        onProgress?.(chunk.last + 1);
        index += 1;
        continue;
      }
      if (status === 416 && options.resync && resyncsLeft > 0) {
        resyncsLeft -= 1;
        const uploaded = await options.resync().catch(() => undefined);
        if (uploaded === plan.videoSize) {
          onProgress?.(plan.videoSize);
          return;
        }
        const resume = plan.chunks.findIndex((c) => c.first === uploaded);
        if (resume >= 0) {
          index = resume;
          onProgress?.(plan.chunks[resume]!.first);
          continue;
        }
      }
      throw new ChunkUploadError(failureFor(status), status);
    }
    // Every chunk answered 206 and none 201: TikTok never said it had the whole file.
    throw new ChunkUploadError("chunk_rejected");
  } finally {
    agent.destroy();
  }
}

function failureFor(status: number | undefined): ChunkFailureCode {
  if (status === undefined || status >= 500 || status === 429) return "chunk_failed";
  if (status === 403) return "upload_url_expired";
  if (status === 404) return "upload_not_found";
  if (status === 416) return "range_mismatch";
  return "chunk_rejected";
}

/** One PUT of bytes first..last, streamed from the file; resolves with the HTTP status. */
function putChunk(
  url: URL,
  agent: http.Agent,
  options: SendChunksOptions,
  first: number,
  last: number,
  onSent: (bytes: number) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let answerDeadline: NodeJS.Timeout | undefined;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(answerDeadline);
      fn();
    };
    const timeoutMs = options.timeoutMs ?? 60_000;
    // The idle timeout alone lets a host that answers a byte now and then (never idle, never
    // done) hold the transfer, its temporary file and the user's upload slot forever: once the
    // chunk is sent, or the answer has begun, the whole answer must arrive within the limit (S73).
    const startAnswerDeadline = () => {
      if (settled) return;
      answerDeadline ??= setTimeout(() => {
        // Failed first: the answer's status (a 201 begun) must not count once it is cut off.
        const error = new Error("chunk answer timed out");
        settle(() => reject(error));
        request.destroy(error);
      }, timeoutMs);
    };
    const transport = url.protocol === "https:" ? https : http;
    const request = transport.request(url, {
      method: "PUT",
      agent,
      headers: {
        "Content-Type": options.contentType,
        "Content-Length": String(last - first + 1),
        "Content-Range": contentRange({ first, last }, options.plan.videoSize),
      },
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error("chunk timed out")));
    request.on("finish", startAnswerDeadline);
    request.on("response", (response) => {
      startAnswerDeadline();
      // The answer may come before the body is fully sent (an early 4xx): it decides.
      const status = response.statusCode ?? 0;
      response.resume();
      response.on("end", () => settle(() => resolve(status)));
      response.on("error", () => settle(() => resolve(status)));
    });
    request.on("error", (error) => settle(() => reject(error)));

    const file = createReadStream(options.filePath, { start: first, end: last, highWaterMark: 256 * 1024 });
    let sent = 0;
    file.on("data", (data) => {
      sent += data.length;
      onSent(sent);
    });
    file.on("error", (error) => {
      request.destroy(error);
      settle(() => reject(error));
    });
    // A request that ends early (answer, timeout, reset) must not keep the file open.
    request.on("close", () => file.destroy());
    file.pipe(request);
  });
}
