/**
 * TikTok's FILE_UPLOAD chunk rules (content-posting-api-media-transfer-guide, https://developers.tiktok.com/doc/content-posting-api-reference-upload-video):
 * - chunks are 5–64 MB; the final chunk takes the remainder and may reach 128 MB;
 * - total_chunk_count = floor(video_size / chunk_size), between 1 and 1000;
 * - a video under 5 MB is sent whole: chunk_size = video_size, one chunk;
 * - at most 4 GB (§6).
 */
export const MB = 1024 * 1024;
export const MIN_CHUNK_BYTES = 5 * MB;
export const MAX_CHUNK_BYTES = 64 * MB;
export const MAX_FINAL_CHUNK_BYTES = 128 * MB;
export const MAX_CHUNKS = 1000;
export const MAX_VIDEO_BYTES = 4 * 1024 * MB;
/**
 * 10 MB: a failed chunk costs at most ~10–20 MB to resend, while a 1 GB file is ~100 requests
 * (per-request overhead is small next to the bytes).
 */
export const DEFAULT_CHUNK_BYTES = 10 * MB;

export interface ChunkRange {
  /** First byte offset, inclusive. */
  first: number;
  /** Last byte offset, inclusive (as in `Content-Range: bytes FIRST-LAST/TOTAL`). */
  last: number;
}

export interface ChunkPlan {
  videoSize: number;
  chunkSize: number;
  totalChunkCount: number;
  chunks: ChunkRange[];
}

/** The chunking TikTok will accept for a file of `videoSize` bytes. */
export function planChunks(videoSize: number, preferredChunkSize = DEFAULT_CHUNK_BYTES): ChunkPlan {
  if (!Number.isSafeInteger(videoSize) || videoSize < 1) throw new RangeError("video size must be a positive integer");
  if (videoSize > MAX_VIDEO_BYTES) throw new RangeError("video size exceeds TikTok's 4 GB limit");
  if (!Number.isSafeInteger(preferredChunkSize) || preferredChunkSize < 1) throw new RangeError("chunk size must be a positive integer");

  if (videoSize < MIN_CHUNK_BYTES) {
    return { videoSize, chunkSize: videoSize, totalChunkCount: 1, chunks: [{ first: 0, last: videoSize - 1 }] };
  }
  // chunk_size may not exceed the video (floor would give 0 chunks).
  const chunkSize = Math.min(Math.max(preferredChunkSize, MIN_CHUNK_BYTES), MAX_CHUNK_BYTES, videoSize);
  // With chunks of at least 5 MB and at most 4 GB this is ≤ 819 chunks, and the final chunk
  // (remainder < one chunk, plus one chunk) stays under 2 × 64 MB = 128 MB.
  const totalChunkCount = Math.floor(videoSize / chunkSize);
  if (totalChunkCount > MAX_CHUNKS) throw new RangeError("more than 1000 chunks");
  const chunks: ChunkRange[] = [];
  for (let i = 0; i < totalChunkCount; i++) {
    const first = i * chunkSize;
    chunks.push({ first, last: i === totalChunkCount - 1 ? videoSize - 1 : first + chunkSize - 1 });
  }
  return { videoSize, chunkSize, totalChunkCount, chunks };
}

/** `Content-Range` of one chunk. */
export function contentRange(chunk: ChunkRange, videoSize: number): string {
  return `bytes ${chunk.first}-${chunk.last}/${videoSize}`;
}
