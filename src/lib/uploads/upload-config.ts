import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { DEFAULT_CHUNK_BYTES, MAX_VIDEO_BYTES, MIN_CHUNK_BYTES, MAX_CHUNK_BYTES } from "./chunk-plan";

/**
 * Tunables of the upload feature. Defaults are TikTok's limits; the environment may lower the
 * size cap (a deployment with little temporary disk) and tests shorten the timings.
 *   UPLOAD_MAX_BYTES     size cap while the file streams in (default and maximum 4 GB)
 *   UPLOAD_TMP_DIR       where files wait between the browser and TikTok (default os.tmpdir())
 *   UPLOAD_CHUNK_BYTES   preferred chunk size towards TikTok (5–64 MB, default 10 MB)
 *   UPLOAD_POLL_MS       first status polling interval (default 3 s)
 */
export interface UploadConfig {
  maxBytes: number;
  tmpDir: string;
  chunkBytes: number;
  /** First interval between status polls; it doubles every 5 polls up to a minute. */
  pollIntervalMs: number;
  /** Chunk retries after a 5xx or network failure: attempts in total and the backoff. */
  chunkAttempts: number;
  chunkRetryBaseMs: number;
  /** A socket idle this long during a chunk counts as a network failure. */
  chunkTimeoutMs: number;
  /** A step (receiving, checking, sending) with no sign of life for this long was interrupted. */
  staleAfterMs: number;
  /** After this long TikTok's status is no longer polled (moderation "may take a few hours"). */
  pollGiveUpMs: number;
}

const envSchema = z.object({
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().max(MAX_VIDEO_BYTES).default(MAX_VIDEO_BYTES),
  UPLOAD_TMP_DIR: z.string().min(1).optional(),
  UPLOAD_CHUNK_BYTES: z.coerce.number().int().min(MIN_CHUNK_BYTES).max(MAX_CHUNK_BYTES).default(DEFAULT_CHUNK_BYTES),
  UPLOAD_POLL_MS: z.coerce.number().int().min(10).max(600_000).default(3_000),
});

export function loadUploadConfig(env: NodeJS.ProcessEnv = process.env): UploadConfig {
  const e = envSchema.parse(env);
  return {
    maxBytes: e.UPLOAD_MAX_BYTES,
    tmpDir: path.join(e.UPLOAD_TMP_DIR ?? os.tmpdir(), "socialflow-uploads"),
    chunkBytes: e.UPLOAD_CHUNK_BYTES,
    pollIntervalMs: e.UPLOAD_POLL_MS,
    chunkAttempts: 4,
    chunkRetryBaseMs: 1_000,
    chunkTimeoutMs: 60_000,
    staleAfterMs: 15 * 60_000,
    pollGiveUpMs: 24 * 60 * 60_000,
  };
}

const holder = globalThis as unknown as { __socialflowUploadConfig?: UploadConfig };

export function getUploadConfig(): UploadConfig {
  holder.__socialflowUploadConfig ??= loadUploadConfig();
  return holder.__socialflowUploadConfig;
}

/** Tests change limits and timings (e.g. a 1 MB cap, 20 ms polls). */
export function setUploadConfigForTests(config: Partial<UploadConfig> | undefined): void {
  holder.__socialflowUploadConfig = config ? { ...loadUploadConfig({} as NodeJS.ProcessEnv), ...config } : undefined;
}
