import { defaultUploadSettings, getConfig, userTmpShareBytes, type UploadSettings } from "@/lib/config/config";
import { processSingleton, setProcessSingleton } from "@/lib/process-registry";
import { PROBE_TIMEOUT_MS } from "./media-probe";

/**
 * Tunables of the upload feature. The environment's part (UPLOAD_MAX_BYTES, UPLOAD_TMP_DIR,
 * UPLOAD_TMP_MAX_BYTES, UPLOAD_CHUNK_BYTES, UPLOAD_POLL_MS) is read and validated with the rest of the configuration
 * (src/lib/config/); the retry and timeout policy below is fixed. Tests shorten the timings.
 */
export interface UploadConfig extends UploadSettings {
  /** Chunk retries after a 5xx or network failure: attempts in total and the backoff. */
  chunkAttempts: number;
  chunkRetryBaseMs: number;
  /** A socket idle this long during a chunk counts as a network failure. */
  chunkTimeoutMs: number;
  /** A step (receiving, checking, sending) with no sign of life for this long was interrupted. */
  staleAfterMs: number;
  /** After this long TikTok's status is no longer polled (moderation "may take a few hours"). */
  pollGiveUpMs: number;
  /** One mediainfo analysis may take this long; then the file is refused as unreadable. */
  probeTimeoutMs: number;
}

export function uploadConfigFrom(settings: UploadSettings): UploadConfig {
  return {
    ...settings,
    chunkAttempts: 4,
    chunkRetryBaseMs: 1_000,
    chunkTimeoutMs: 60_000,
    staleAfterMs: 15 * 60_000,
    pollGiveUpMs: 24 * 60 * 60_000,
    probeTimeoutMs: PROBE_TIMEOUT_MS,
  };
}

declare module "@/lib/process-registry" {
  interface ProcessSlots {
    uploadConfig: UploadConfig;
  }
}

export function getUploadConfig(): UploadConfig {
  return processSingleton("uploadConfig", () => uploadConfigFrom(getConfig().uploads));
}

/**
 * Tests change limits and timings (e.g. a 1 MB cap, 20 ms polls). The user's share of the disk
 * budget follows the budget and the size cap a test sets, as config.ts computes it, unless the
 * test sets the share itself.
 */
export function setUploadConfigForTests(config: Partial<UploadConfig> | undefined): void {
  if (!config) return setProcessSingleton("uploadConfig", undefined);
  const merged = { ...uploadConfigFrom(defaultUploadSettings()), ...config };
  setProcessSingleton("uploadConfig", { ...merged, userTmpShareBytes: config.userTmpShareBytes ?? userTmpShareBytes(merged.tmpMaxBytes, merged.maxBytes) });
}
