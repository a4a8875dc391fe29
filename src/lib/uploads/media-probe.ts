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
/**
 * How long one analysis may take (queue wait excluded) before the file is refused as unreadable.
 * mediainfo reads a few boxes of a well-formed file in well under a second; a file crafted to
 * make it wander (or a stalled disk) must not hold the queue that every upload waits in.
 */
export const PROBE_TIMEOUT_MS = 30_000;

export class ProbeTimeoutError extends Error {
  override readonly name = "ProbeTimeoutError";
  constructor() {
    super("mediainfo did not finish in time");
  }
}

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
 *
 * Analyses run one at a time, each within `timeoutMs`. mediainfo.js has no way to cancel an
 * analysis, so a late one is abandoned instead: the queue moves on at the deadline (the next
 * analysis gets a fresh WASM instance, since the old one is still mid-analysis), the file handle
 * is closed, and every later read of the abandoned analysis gets an empty chunk — mediainfo
 * treats that as the end of the file, finishes, and its instance is then closed. mediainfo asks
 * for data through that callback as it goes, so this bounds hangs on reads and slow analyses; a
 * tight loop inside the WASM without a read would block the whole event loop, which no timer in
 * this process can interrupt (only a worker thread could).
 */
export function probeMediaFile(filePath: string, options: { timeoutMs?: number } = {}): Promise<MediaFacts> {
  return serialised(() => analyseWithin(filePath, options.timeoutMs ?? PROBE_TIMEOUT_MS));
}

async function analyseWithin(filePath: string, timeoutMs: number): Promise<MediaFacts> {
  const current = mediaInfo();
  const mi = await current;
  const handle = await open(filePath, "r");
  let abandoned = false;
  const analysis = (async () => {
    const { size } = await handle.stat();
    return mi.analyzeData(size, async (length, offset) => {
      if (abandoned) return new Uint8Array(0);
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      return buffer.subarray(0, bytesRead);
    });
  })();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeoutError()), timeoutMs);
  });
  try {
    return factsFrom(await Promise.race([analysis, deadline]));
  } catch (error) {
    if (error instanceof ProbeTimeoutError) {
      abandoned = true;
      if (instance === current) instance = undefined;
      void analysis.then(
        () => mi.close(),
        () => mi.close(),
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
    // FileHandle.close() waits for reads in flight: an abandoned analysis stuck in one (a stalled
    // disk) must not hold the queue through it.
    if (abandoned) void handle.close().catch(() => undefined);
    else await handle.close();
  }
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
