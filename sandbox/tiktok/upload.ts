/**
 * PUT upload_url — chunked upload (https://developers.tiktok.com/doc/content-posting-api-reference-upload-video, content-posting-api-media-transfer-guide).
 *
 * Chunks must arrive in order with `Content-Type: video/mp4|video/quicktime|video/webm`,
 * `Content-Length` and `Content-Range: bytes FIRST-LAST/TOTAL`. Answers: 206 more expected,
 * 201 complete, 400 bad request, 403 URL expired, 404 unknown upload, 416 range mismatch.
 *
 * The body is STREAMED and only counted (and optionally hashed): benchmarks push 1 GB through
 * here, so no chunk is ever buffered.
 */
import type { IncomingMessage } from "node:http";
import { drain, jsonReply, mediaType, newLogId, type Reply } from "./http";
import type { Publish, SandboxState } from "./state";

export const UPLOAD_PREFIX = "/upload/";
const VIDEO_TYPES = new Set(["video/mp4", "video/quicktime", "video/webm"]);
const RANGE_RE = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15})$/;
/** Bodies bigger than this are not drained on an early error: the connection is closed instead. */
const MAX_DRAIN = 256 * 1024 * 1024;

function uploadError(state: SandboxState, status: number, code: string, message: string, close = false): Reply {
  const reply = jsonReply(status, { error: { code, message, log_id: newLogId(state.now()) } });
  if (close) reply.headers.connection = "close";
  return reply;
}

/** Answers an error after reading the rest of the body, so the client sees the status, not EPIPE. */
async function early(state: SandboxState, req: IncomingMessage, status: number, code: string, message: string): Promise<Reply> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (Number.isFinite(declared) && declared > MAX_DRAIN) return uploadError(state, status, code, message, true);
  await drain(req);
  return uploadError(state, status, code, message);
}

/** Returns the reply, or undefined when the client went away mid-chunk (nothing to answer). */
export async function handleUpload(state: SandboxState, req: IncomingMessage, path: string, query: string): Promise<Reply | undefined> {
  const uploadId = path.slice(UPLOAD_PREFIX.length);
  const p = state.publishesByUpload.get(uploadId);
  const token = new URLSearchParams(query).get("upload_token");
  if (p === undefined || token !== p.uploadToken) return early(state, req, 404, "not_found", "Unknown upload URL.");
  if (req.method !== "PUT") return early(state, req, 405, "method_not_allowed", "Use PUT to upload a chunk.");
  if (p.finalStatus === "FAILED") return early(state, req, 403, "upload_closed", "This publish was cancelled or failed.");
  if (state.now() >= p.uploadExpiresAt) return early(state, req, 403, "upload_url_expired", "The upload URL has expired (valid 1 hour).");

  if (!VIDEO_TYPES.has(mediaType(req))) {
    return early(state, req, 400, "invalid_content_type", "Content-Type must be video/mp4, video/quicktime or video/webm.");
  }
  const lengthHeader = req.headers["content-length"];
  if (lengthHeader === undefined || !/^\d+$/.test(lengthHeader)) {
    return early(state, req, 400, "invalid_content_length", "Content-Length is required.");
  }
  const length = Number(lengthHeader);
  const range = RANGE_RE.exec(req.headers["content-range"] ?? "");
  if (range === null) return early(state, req, 400, "invalid_content_range", "Content-Range must be 'bytes FIRST-LAST/TOTAL'.");
  const first = Number(range[1]);
  const last = Number(range[2]);
  const total = Number(range[3]);
  if (last < first || last >= total) return early(state, req, 400, "invalid_content_range", "Content-Range is not a valid byte range.");
  if (length !== last - first + 1) return early(state, req, 400, "content_length_mismatch", "Content-Length does not match Content-Range.");

  if (total !== p.videoSize) return early(state, req, 416, "range_mismatch", `Total size ${total} differs from video_size ${p.videoSize}.`);
  if (p.nextOffset >= p.videoSize) return early(state, req, 416, "range_mismatch", "The upload is already complete.");
  if (p.chunkInFlight) return early(state, req, 416, "range_mismatch", "Another chunk of this upload is in progress.");
  const isLast = p.chunksReceived === p.totalChunkCount - 1;
  const expectedLast = isLast ? p.videoSize - 1 : p.nextOffset + p.chunkSize - 1;
  if (first !== p.nextOffset || last !== expectedLast) {
    return early(state, req, 416, "range_mismatch", `Expected bytes ${p.nextOffset}-${expectedLast}/${p.videoSize} (chunk ${p.chunksReceived + 1} of ${p.totalChunkCount}).`);
  }
  return receiveChunk(state, req, p, length, last);
}

function receiveChunk(state: SandboxState, req: IncomingMessage, p: Publish, length: number, last: number): Promise<Reply | undefined> {
  return new Promise((resolve) => {
    p.chunkInFlight = true;
    // A chunk that breaks off must leave the running hash as it was before the chunk.
    const before = p.hash?.copy();
    let received = 0;
    let settled = false;
    const fail = () => {
      if (settled) return;
      settled = true;
      p.chunkInFlight = false;
      p.hash = before;
      resolve(undefined);
    };
    req.on("data", (chunk: Buffer) => {
      received += chunk.length;
      p.hash?.update(chunk);
    });
    req.on("end", () => {
      if (settled) return;
      settled = true;
      p.chunkInFlight = false;
      if (received !== length) {
        p.hash = before;
        resolve(uploadError(state, 400, "content_length_mismatch", "Body length does not match Content-Length."));
        return;
      }
      p.nextOffset = last + 1;
      p.chunksReceived += 1;
      if (p.nextOffset === p.videoSize) {
        p.readyAt = state.now();
        resolve({ status: 201, headers: { "cache-control": "no-store" }, body: "" });
      } else {
        resolve({ status: 206, headers: { "cache-control": "no-store", range: `bytes=0-${last}` }, body: "" });
      }
    });
    req.on("error", fail);
    req.on("close", fail);
  });
}
