import { stat } from "node:fs/promises";
import { probeMediaFile } from "./media-probe";
import { checkVideo, type VideoCheck, type VideoLimits } from "./video-rules";

/**
 * Server-side check of an uploaded file (a temporary file's path) against TikTok's rules
 * (TIKTOK_API.md §6), before a single byte goes to TikTok: a bad file is refused here with
 * what is wrong and what is allowed, instead of wasting an upload and a pending-share slot.
 */
export async function validateVideo(filePath: string, limits: VideoLimits = {}): Promise<VideoCheck> {
  const { size } = await stat(filePath);
  const facts = await probeMediaFile(filePath);
  return checkVideo(facts, size, limits);
}
