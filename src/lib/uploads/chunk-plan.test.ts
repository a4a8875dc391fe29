import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { checkChunkPlan } from "../../../sandbox/tiktok/posting";
import {
  contentRange,
  MAX_CHUNK_BYTES,
  MAX_CHUNKS,
  MAX_FINAL_CHUNK_BYTES,
  MAX_VIDEO_BYTES,
  MB,
  MIN_CHUNK_BYTES,
  planChunks,
  type ChunkPlan,
} from "./chunk-plan";

/** Every invariant of the media transfer guide, checked on a plan. */
function expectValid(plan: ChunkPlan) {
  const { videoSize, chunkSize, totalChunkCount, chunks } = plan;
  expect(totalChunkCount).toBe(chunks.length);
  expect(totalChunkCount).toBeGreaterThanOrEqual(1);
  expect(totalChunkCount).toBeLessThanOrEqual(MAX_CHUNKS);
  expect(totalChunkCount).toBe(Math.floor(videoSize / chunkSize));
  expect(chunks[0]!.first).toBe(0);
  expect(chunks.at(-1)!.last).toBe(videoSize - 1);
  chunks.forEach((c, i) => {
    const length = c.last - c.first + 1;
    if (i > 0) expect(c.first).toBe(chunks[i - 1]!.last + 1);
    if (i < chunks.length - 1) expect(length).toBe(chunkSize);
    else expect(length).toBeLessThanOrEqual(MAX_FINAL_CHUNK_BYTES);
  });
  if (videoSize < MIN_CHUNK_BYTES) expect(plan).toMatchObject({ chunkSize: videoSize, totalChunkCount: 1 });
  else expect(chunkSize).toBeGreaterThanOrEqual(MIN_CHUNK_BYTES);
  expect(chunkSize).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
  // The sandbox's own, independently written check of the same rules agrees.
  expect(checkChunkPlan(videoSize, chunkSize, totalChunkCount)).toBeUndefined();
}

describe("planChunks (TikTok media transfer guide)", () => {
  it("sends a 1-byte file and a file just under 5 MB whole, as one chunk", () => {
    expect(planChunks(1)).toEqual({ videoSize: 1, chunkSize: 1, totalChunkCount: 1, chunks: [{ first: 0, last: 0 }] });
    const justUnder = planChunks(5 * MB - 1);
    expect(justUnder).toMatchObject({ chunkSize: 5 * MB - 1, totalChunkCount: 1 });
    expectValid(justUnder);
  });

  it("at exactly 5 MB: one chunk of 5 MB", () => {
    const plan = planChunks(5 * MB);
    expect(plan).toMatchObject({ chunkSize: 5 * MB, totalChunkCount: 1, chunks: [{ first: 0, last: 5 * MB - 1 }] });
    expectValid(plan);
  });

  it("between 5 MB and the preferred chunk size: the whole file as one chunk", () => {
    const plan = planChunks(7 * MB);
    expect(plan).toMatchObject({ chunkSize: 7 * MB, totalChunkCount: 1 });
    expectValid(plan);
  });

  it("at 64 MB with 64 MB chunks: one chunk; at 64 MB + 1 the last chunk carries the extra byte", () => {
    expect(planChunks(64 * MB, 64 * MB)).toMatchObject({ chunkSize: 64 * MB, totalChunkCount: 1 });
    const over = planChunks(64 * MB + 1, 64 * MB);
    expect(over).toMatchObject({ chunkSize: 64 * MB, totalChunkCount: 1, chunks: [{ first: 0, last: 64 * MB }] });
    expectValid(over);
  });

  it("the final chunk reaches 128 MB - 1 at most; at 128 MB it becomes two 64 MB chunks", () => {
    const under = planChunks(128 * MB - 1, 64 * MB);
    expect(under).toMatchObject({ totalChunkCount: 1, chunks: [{ first: 0, last: 128 * MB - 2 }] });
    expectValid(under);
    const at = planChunks(128 * MB, 64 * MB);
    expect(at.chunks).toEqual([
      { first: 0, last: 64 * MB - 1 },
      { first: 64 * MB, last: 128 * MB - 1 },
    ]);
    expectValid(at);
  });

  it("clamps a preferred chunk size outside 5–64 MB", () => {
    expect(planChunks(200 * MB, 1 * MB).chunkSize).toBe(5 * MB);
    expect(planChunks(200 * MB, 500 * MB).chunkSize).toBe(64 * MB);
  });

  it("never more than 1000 chunks: at 4 GB with the smallest 5 MB chunks it is 819, the most there can be", () => {
    // 1000 × 5 MB = 5000 MB is beyond the 4 GB limit, so the 1000-chunk rule never binds;
    // the planner still checks it in case either limit changes.
    const most = planChunks(MAX_VIDEO_BYTES, 5 * MB);
    expect(most.totalChunkCount).toBe(819);
    expect(most.totalChunkCount).toBeLessThanOrEqual(MAX_CHUNKS);
    expect(most.chunks.at(-1)!.last - most.chunks.at(-1)!.first + 1).toBe(MAX_VIDEO_BYTES - 818 * 5 * MB);
    expectValid(most);
    // The sandbox refuses a count other than floor(size / chunk), e.g. one chunk more.
    expect(checkChunkPlan(MAX_VIDEO_BYTES, 5 * MB, 820)).toMatch(/total_chunk_count/);
  });

  it("4 GB: accepted with the default and the largest chunks; one byte more is refused", () => {
    expectValid(planChunks(MAX_VIDEO_BYTES));
    expect(planChunks(MAX_VIDEO_BYTES, 64 * MB).totalChunkCount).toBe(64);
    expect(() => planChunks(MAX_VIDEO_BYTES + 1)).toThrow(RangeError);
  });

  it("refuses empty, fractional and negative sizes", () => {
    for (const size of [0, -1, 1.5, Number.NaN]) expect(() => planChunks(size)).toThrow(RangeError);
  });

  it("formats Content-Range as bytes FIRST-LAST/TOTAL", () => {
    const plan = planChunks(25 * MB);
    expect(plan.chunks.map((c) => contentRange(c, plan.videoSize))).toEqual([
      `bytes 0-${10 * MB - 1}/${25 * MB}`,
      `bytes ${10 * MB}-${25 * MB - 1}/${25 * MB}`,
    ]);
  });

  it("every size up to 4 GB and every preferred chunk size gives a plan TikTok accepts", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_VIDEO_BYTES }), fc.integer({ min: 1, max: 256 * MB }), (size, preferred) => {
        expectValid(planChunks(size, preferred));
      }),
      { numRuns: 300 },
    );
  });
});
