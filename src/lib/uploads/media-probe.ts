import { open } from "node:fs/promises";
import { z } from "zod";
import type { MediaInfo } from "mediainfo.js";

/** What mediainfo.js says about a file, reduced to what TikTok's rules (§6) look at. */
export interface MediaFacts {
  /** mediainfo's General `Format` ("MPEG-4", "WebM", "Matroska"…), or null when it recognised nothing. */
  format: string | null;
  /** General `Format_Profile` ("QuickTime" tells a MOV from an MP4). */
  formatProfile: string | null;
  /** The first video track's `Format` ("AVC", "HEVC", "VP9"…), or null when there is no video track. */
  videoFormat: string | null;
  width: number | null;
  height: number | null;
  /** Clockwise rotation the player applies (phones store portrait video as rotated landscape). */
  rotation: number;
  frameRate: number | null;
  durationSec: number | null;
  /** `FileSize` (mediainfo reports it as a string). */
  fileSize: number | null;
  /** A cut-off file still reports full metadata from its header; only `IsTruncated` tells. */
  truncated: boolean;
}

const numeric = z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/).transform(Number)]).optional().catch(undefined);
const text = z.string().max(200).optional().catch(undefined);

const generalTrack = z.object({
  "@type": z.literal("General"),
  Format: text,
  Format_Profile: text,
  FileSize: numeric,
  Duration: numeric,
  IsTruncated: text,
  extra: z.object({ IsTruncated: text }).partial().optional().catch(undefined),
});
const videoTrack = z.object({
  "@type": z.literal("Video"),
  Format: text,
  Width: numeric,
  Height: numeric,
  Rotation: numeric,
  FrameRate: numeric,
  FrameRate_Nominal: numeric,
  FrameRate_Original: numeric,
  Duration: numeric,
});
const resultSchema = z.object({
  media: z
    .object({ track: z.array(z.looseObject({ "@type": z.string() })).max(500) })
    .nullable()
    .optional(),
});

/** Bytes handed to mediainfo per read: it seeks to the boxes it needs, so a 4 GB file is not read whole. */
const READ_CHUNK_BYTES = 1024 * 1024;

let instance: Promise<MediaInfo<"object">> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** One WASM instance per process, used by one analysis at a time (MediaInfo is not re-entrant). */
function mediaInfo(): Promise<MediaInfo<"object">> {
  instance ??= import("mediainfo.js")
    .then(({ default: mediaInfoFactory }) => mediaInfoFactory({ format: "object", chunkSize: READ_CHUNK_BYTES }))
    .catch((error: unknown) => {
      instance = undefined;
      throw error;
    });
  return instance;
}

function serialised<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

/**
 * Reads a file's container, codec, size, frame rate and duration with mediainfo.js, through a
 * file handle in chunks (`analyzeData(size, readChunk)`): the file is never loaded whole.
 */
export function probeMediaFile(filePath: string): Promise<MediaFacts> {
  return serialised(async () => {
    const mi = await mediaInfo();
    const handle = await open(filePath, "r");
    try {
      const { size } = await handle.stat();
      const raw = await mi.analyzeData(size, async (length, offset) => {
        const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
        return buffer.subarray(0, bytesRead);
      });
      return factsFrom(raw);
    } finally {
      await handle.close();
    }
  });
}

/** Reduces mediainfo's result (validated here: it is parsed from the file, so untrusted). */
export function factsFrom(raw: unknown): MediaFacts {
  const tracks = resultSchema.parse(raw).media?.track ?? [];
  const general = tracks.map((t) => generalTrack.safeParse(t)).find((r) => r.success)?.data;
  const video = tracks.map((t) => videoTrack.safeParse(t)).find((r) => r.success)?.data;
  const truncated = (general?.IsTruncated ?? general?.extra?.IsTruncated ?? "").toLowerCase() === "yes";
  const frameRate = video?.FrameRate ?? video?.FrameRate_Nominal ?? video?.FrameRate_Original ?? null;
  return {
    format: general?.Format ?? null,
    formatProfile: general?.Format_Profile ?? null,
    videoFormat: video ? (video.Format ?? "unknown") : null,
    width: video?.Width ?? null,
    height: video?.Height ?? null,
    rotation: ((Math.round(video?.Rotation ?? 0) % 360) + 360) % 360,
    frameRate,
    durationSec: general?.Duration ?? video?.Duration ?? null,
    fileSize: general?.FileSize ?? null,
    truncated,
  };
}
