import type { MediaFacts } from "./media-probe";
import { MAX_VIDEO_BYTES } from "./chunk-plan";
import { formatBytesOver, formatDuration, formatNumber } from "./format";
import { isOwnKey, ownValue } from "@/lib/own-key";

export { formatBytes, formatDuration } from "./format";

/**
 * TikTok's video requirements (https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide, content-posting-api "Video restrictions"):
 * MP4 (recommended), MOV or WEBM; H.264/H.265/VP8/VP9; 23–60 fps; each side 360–4096 px;
 * at most 4 GB; 3 s up to the creator's max_video_post_duration_sec, never over 10 min.
 * SocialFlow recommends at least 540×960 portrait: below that is a warning, not a refusal.
 */
export const VIDEO_RULES = {
  minFrameRate: 23,
  maxFrameRate: 60,
  minSidePx: 360,
  maxSidePx: 4096,
  maxBytes: MAX_VIDEO_BYTES,
  minDurationSec: 3,
  maxDurationSec: 600,
  recommendedWidth: 540,
  recommendedHeight: 960,
} as const;

/** The Content-Type TikTok expects on each chunk (media transfer guide). */
export const CONTAINER_TYPES = { MP4: "video/mp4", MOV: "video/quicktime", WEBM: "video/webm" } as const;
export type Container = keyof typeof CONTAINER_TYPES;
export type VideoContentType = (typeof CONTAINER_TYPES)[Container];

export type ProblemCode =
  | "not_a_video"
  | "unsupported_container"
  | "unsupported_codec"
  | "truncated"
  | "file_too_large"
  | "unreadable"
  | "too_short"
  | "too_long"
  | "frame_rate"
  | "dimensions";
export type WarningCode = "low_resolution" | "landscape" | "type_mismatch";

export interface Finding<C extends string> {
  code: C;
  /** A fixed template filled with numbers and fixed labels only: never the file's name or its text. */
  message: string;
}

export interface VideoLimits {
  /** The creator's max_video_post_duration_sec from creator_info, when known. */
  maxDurationSec?: number;
  /** The type the browser claimed (from the file's name), compared with what the content is. */
  claimedType?: VideoContentType;
}

export type VideoCheck =
  | { ok: true; container: Container; contentType: VideoContentType; durationSec: number; width: number; height: number; warnings: Finding<WarningCode>[] }
  | { ok: false; problems: Finding<ProblemCode>[]; warnings: Finding<WarningCode>[] };

/** mediainfo's General Format → a label for the message (fixed strings only). */
const OTHER_CONTAINERS: Record<string, string> = {
  Matroska: "MKV",
  AVI: "AVI",
  "MPEG-TS": "MPEG-TS",
  "MPEG-PS": "MPEG-PS",
  "Flash Video": "FLV",
  "Windows Media": "WMV",
  "RealMedia": "RealMedia",
  OGG: "Ogg",
  GIF: "GIF",
};
const CODECS: Record<string, string> = { AVC: "H.264", HEVC: "H.265", VP8: "VP8", VP9: "VP9" };
const OTHER_CODECS: Record<string, string> = {
  AV1: "AV1",
  "MPEG-4 Visual": "MPEG-4 Part 2",
  ProRes: "ProRes",
  "MPEG Video": "MPEG-2",
  Theora: "Theora",
  "VC-1": "VC-1",
  JPEG: "Motion JPEG",
  GIF: "GIF",
};

const ACCEPTED_FORMATS = "TikTok accepts MP4 (recommended), MOV or WEBM files";
const ACCEPTED_CODECS = "H.264, H.265, VP8 or VP9";

function containerOf(facts: MediaFacts): Container | undefined {
  if (facts.format === "MPEG-4") return facts.formatProfile === "QuickTime" ? "MOV" : "MP4";
  if (facts.format === "QuickTime") return "MOV";
  if (facts.format === "WebM") return "WEBM";
  return undefined;
}

/** Checks a file's facts against TikTok's rules: every problem found, not just the first. */
export function checkVideo(facts: MediaFacts, size: number, limits: VideoLimits = {}): VideoCheck {
  const problems: Finding<ProblemCode>[] = [];
  const warnings: Finding<WarningCode>[] = [];
  const problem = (code: ProblemCode, message: string) => problems.push({ code, message });
  const warn = (code: WarningCode, message: string) => warnings.push({ code, message });

  if (size > VIDEO_RULES.maxBytes) problem("file_too_large", `The file is ${formatBytesOver(size, VIDEO_RULES.maxBytes)}. TikTok accepts files of up to 4 GB.`);

  const container = containerOf(facts);
  if (facts.format === null || (facts.videoFormat === null && container === undefined)) {
    problem("not_a_video", `The file is not a video SocialFlow can read. ${ACCEPTED_FORMATS} with ${ACCEPTED_CODECS} video.`);
    return { ok: false, problems, warnings };
  }
  if (container === undefined) {
    const label = ownValue(OTHER_CONTAINERS, facts.format);
    problem("unsupported_container", `The file is ${label ? `in ${label} format` : "in a format TikTok does not take"}. ${ACCEPTED_FORMATS}.`);
  }
  if (facts.videoFormat === null) {
    problem("not_a_video", `The file has no video in it. ${ACCEPTED_FORMATS} with ${ACCEPTED_CODECS} video.`);
    return { ok: false, problems, warnings };
  }
  if (facts.truncated) {
    problem("truncated", "The file is incomplete: it ends before the video does (an interrupted download or copy). Use the complete file.");
  }
  if (!isOwnKey(CODECS, facts.videoFormat)) {
    const label = ownValue(OTHER_CODECS, facts.videoFormat);
    problem("unsupported_codec", `The video is encoded ${label ? `with ${label}` : "with a codec TikTok does not take"}. TikTok accepts ${ACCEPTED_CODECS}.`);
  }

  const { width, height, durationSec, frameRate } = facts;
  if (width === null || height === null || durationSec === null) {
    problem("unreadable", "SocialFlow could not read the video's size or length, so TikTok would likely refuse it. Export the video again as MP4.");
  }
  if (durationSec !== null) {
    const creatorMax = limits.maxDurationSec !== undefined && limits.maxDurationSec < VIDEO_RULES.maxDurationSec ? limits.maxDurationSec : undefined;
    const maxSec = creatorMax ?? VIDEO_RULES.maxDurationSec;
    // Containers round durations to the millisecond; 50 ms of slack keeps a 3.000 s clip stored as 2.997 s.
    if (durationSec + 0.05 < VIDEO_RULES.minDurationSec) {
      problem("too_short", `The video is ${formatDuration(durationSec)} long. TikTok needs at least 3 seconds.`);
    } else if (durationSec - 0.05 > maxSec) {
      problem(
        "too_long",
        creatorMax !== undefined
          ? `The video is ${formatDuration(durationSec)} long. TikTok lets this account post videos of up to ${formatDuration(creatorMax)}.`
          : `The video is ${formatDuration(durationSec)} long. TikTok accepts videos of up to 10 minutes.`,
      );
    }
  }
  if (frameRate !== null) {
    const fps = Math.round(frameRate * 100) / 100;
    if (fps < VIDEO_RULES.minFrameRate || fps > VIDEO_RULES.maxFrameRate) {
      problem("frame_rate", `The video runs at ${formatNumber(fps)} frames per second. TikTok accepts 23 to 60 frames per second.`);
    }
  }
  if (width !== null && height !== null) {
    const sides = [width, height];
    if (sides.some((side) => side < VIDEO_RULES.minSidePx || side > VIDEO_RULES.maxSidePx)) {
      problem("dimensions", `The video is ${width} × ${height} pixels. TikTok needs each side to be between 360 and 4096 pixels.`);
    } else {
      // What the viewer sees: phones store portrait video as landscape plus a 90° rotation.
      const turned = facts.rotation === 90 || facts.rotation === 270;
      const shownWidth = turned ? height : width;
      const shownHeight = turned ? width : height;
      if (Math.min(shownWidth, shownHeight) < VIDEO_RULES.recommendedWidth || Math.max(shownWidth, shownHeight) < VIDEO_RULES.recommendedHeight) {
        warn("low_resolution", `The video is ${shownWidth} × ${shownHeight} pixels. It can be posted, but 540 × 960 (portrait) or more looks sharper on TikTok.`);
      }
      if (shownWidth > shownHeight) {
        warn("landscape", `The video is landscape (${shownWidth} × ${shownHeight}). It can be posted; TikTok shows portrait (9:16) videos full screen.`);
      }
    }
  }
  if (container !== undefined && limits.claimedType !== undefined && limits.claimedType !== CONTAINER_TYPES[container]) {
    const claimed = (Object.keys(CONTAINER_TYPES) as Container[]).find((c) => CONTAINER_TYPES[c] === limits.claimedType);
    warn("type_mismatch", `The file's name says ${claimed ?? "another type"}, but its content is ${container}. It will be sent to TikTok as ${container}.`);
  }

  if (problems.length > 0 || container === undefined || width === null || height === null || durationSec === null) {
    return { ok: false, problems, warnings };
  }
  return { ok: true, container, contentType: CONTAINER_TYPES[container], durationSec, width, height, warnings };
}
