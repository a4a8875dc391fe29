import { stat } from "node:fs/promises";
import { probeMediaFile, ProbeTimeoutError } from "./media-probe";
import { checkVideo, type VideoCheck, type VideoLimits } from "./video-rules";

/** The refusal of a file mediainfo could not get through in time (see probeMediaFile). */
export const UNREADABLE_IN_TIME = {
  code: "unreadable",
  message: "SocialFlow could not finish reading this video in time, so it was not sent. Export the video again as MP4 and try again.",
} as const;

/**
 * Server-side check of an uploaded file (a temporary file's path) against TikTok's rules
 * (https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide), before a single byte goes to TikTok: a bad file is refused here with
 * what is wrong and what is allowed, instead of wasting an upload and a pending-share slot.
 * An analysis that runs past `probeTimeoutMs` is refused as unreadable.
 */
export async function validateVideo(filePath: string, limits: VideoLimits = {}, options: { probeTimeoutMs?: number } = {}): Promise<VideoCheck> {
  const { size } = await stat(filePath);
  try {
    const facts = await probeMediaFile(filePath, { timeoutMs: options.probeTimeoutMs });
    return checkVideo(facts, size, limits);
  } catch (error) {
    if (!(error instanceof ProbeTimeoutError)) throw error;
    return { ok: false, problems: [{ ...UNREADABLE_IN_TIME }], warnings: [] };
  }
}
