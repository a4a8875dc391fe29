/**
 * The page's instant checks before anything is sent (issue #6): the file's type by its name or
 * the browser's MIME type, and its size. The server checks the content itself (validate-video).
 * No Node imports: this runs in the browser.
 */
import { MAX_VIDEO_BYTES } from "./chunk-plan";
import { formatBytes, formatBytesOver } from "./format";
import { ownValue } from "@/lib/own-key";

/** TikTok's post_info.title limit (https://developers.tiktok.com/doc/content-posting-api-reference-upload-video), in UTF-16 code units as TikTok counts. */
export const MAX_TITLE_LENGTH = 2200;

export type ClaimedVideoType = "video/mp4" | "video/quicktime" | "video/webm";

const BY_EXTENSION: Record<string, ClaimedVideoType> = { mp4: "video/mp4", m4v: "video/mp4", mov: "video/quicktime", webm: "video/webm" };
const BY_MIME = new Set<string>(["video/mp4", "video/quicktime", "video/webm"]);

/** What the `accept` attribute of the file input offers. */
export const ACCEPT = "video/mp4,video/quicktime,video/webm,.mp4,.m4v,.mov,.webm";

export type ChosenFileCheck = { ok: true; type: ClaimedVideoType } | { ok: false; message: string };

export function checkChosenFile(file: { name: string; size: number; type: string }, maxBytes = MAX_VIDEO_BYTES): ChosenFileCheck {
  const extension = /\.([A-Za-z0-9]{1,8})$/.exec(file.name)?.[1]?.toLowerCase();
  const type = ownValue(BY_EXTENSION, extension) || (BY_MIME.has(file.type) ? (file.type as ClaimedVideoType) : undefined);
  if (!type) return { ok: false, message: "TikTok accepts MP4 (recommended), MOV or WEBM videos. Choose a file of one of those types." };
  if (file.size === 0) return { ok: false, message: "This file is empty. Choose the video again." };
  if (file.size > maxBytes) {
    return { ok: false, message: `This file is ${formatBytesOver(file.size, maxBytes)}. ${maxBytes === MAX_VIDEO_BYTES ? "TikTok accepts" : "SocialFlow accepts"} files of up to ${formatBytes(maxBytes)}.` };
  }
  return { ok: true, type };
}

/**
 * Whether the page may show a <video> preview of the chosen file: only when the browser itself
 * says it is a video (`File.type`, from the operating system). A file accepted by its name alone
 * (a renamed text file, `type` "text/plain" or "") would only show a broken player; the server
 * still checks the content before anything reaches TikTok.
 */
export function canPreview(file: { type: string }): boolean {
  return /^video\/[a-z0-9.+-]+$/i.test(file.type);
}

/** TikTok's privacy_level_options in words (content sharing guidelines: show the creator's own options). */
export const PRIVACY_LABELS: Record<string, string> = {
  PUBLIC_TO_EVERYONE: "Everyone",
  MUTUAL_FOLLOW_FRIENDS: "Friends (followers you follow back)",
  FOLLOWER_OF_CREATOR: "Followers",
  SELF_ONLY: "Only me",
};
