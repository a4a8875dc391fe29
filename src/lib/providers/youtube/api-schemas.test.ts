import { describe, expect, it } from "vitest";
import { channelListSchema, videoListSchema } from "./api-schemas";

const channel = (statistics: Record<string, unknown>) => ({
  items: [{ id: "UC" + "a".repeat(22), snippet: { title: "Ada" }, statistics }],
});
const video = (statistics: Record<string, unknown>) => ({ items: [{ id: "v1", statistics }] });

describe("S67: YouTube counts (strings of uint64)", () => {
  it("are read as numbers up to the largest safe integer; absent stays undefined", () => {
    const parsed = channelListSchema.parse(channel({ viewCount: "9007199254740991", subscriberCount: "0" }));
    expect(parsed.items?.[0]?.statistics).toEqual({ viewCount: Number.MAX_SAFE_INTEGER, subscriberCount: 0 });
    expect(videoListSchema.parse(video({ likeCount: "12" })).items[0]?.statistics).toEqual({ likeCount: 12 });
  });

  it("beyond a safe integer (a 20-digit uint64 a bigint column cannot hold) the answer is malformed", () => {
    expect(channelListSchema.safeParse(channel({ viewCount: "9007199254740992" })).success).toBe(false);
    expect(channelListSchema.safeParse(channel({ subscriberCount: "18446744073709551615" })).success).toBe(false);
    expect(videoListSchema.safeParse(video({ viewCount: "99999999999999999999" })).success).toBe(false);
  });

  it("anything but digits is malformed", () => {
    for (const bad of ["-1", "1e3", " 1", "", "1.5", "0x10"]) {
      expect(videoListSchema.safeParse(video({ viewCount: bad })).success, bad).toBe(false);
    }
  });
});
