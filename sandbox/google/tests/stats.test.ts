/**
 * Stats that move with the sandbox clock (issue #13): channel subscribers and views, and each
 * video's statistics, grow as the clock is advanced; hidden counts stay hidden.
 */
import { describe, expect, it } from "vitest";
import { sandboxForFile } from "../../kit/test-helpers";
import { ADA, ADA_BRAND, READONLY, start, yt } from "./helpers";

const DAY = 86_400_000;
const sb = sandboxForFile(() => start());
const token = (accountId: string) => sb.control.issueTokensDirectly({ accountId, scopes: READONLY }).access_token;

interface Stats {
  viewCount: string;
  subscriberCount?: string;
  hiddenSubscriberCount?: boolean;
  videoCount?: string;
  likeCount?: string;
  commentCount?: string;
}

async function channelStats(accountId: string): Promise<Stats & { uploads: string }> {
  const r = await yt(sb.url, "channels?part=statistics,contentDetails&mine=true", token(accountId));
  const item = (r.json.items as { statistics: Stats; contentDetails: { relatedPlaylists: { uploads: string } } }[])[0]!;
  return { ...item.statistics, uploads: item.contentDetails.relatedPlaylists.uploads };
}

async function videoStats(accountId: string, uploads: string): Promise<{ id: string; statistics: Stats }[]> {
  const t = token(accountId);
  const items = await yt(sb.url, `playlistItems?part=contentDetails&playlistId=${uploads}&maxResults=20`, t);
  const ids = (items.json.items as { contentDetails: { videoId: string } }[]).map((i) => i.contentDetails.videoId);
  const r = await yt(sb.url, `videos?part=statistics&id=${ids.join(",")}`, t);
  return r.json.items as { id: string; statistics: Stats }[];
}

describe("YouTube stats over time", () => {
  it("subscribers (rounded to 3 figures) and channel views grow; the video count stays", async () => {
    sb.control.setOptions({ statsTimeScale: 1 });
    const before = await channelStats(ADA);
    sb.control.advanceTime(60 * DAY);
    const after = await channelStats(ADA);
    expect(Number(after.subscriberCount)).toBeGreaterThan(Number(before.subscriberCount));
    expect(Number(after.subscriberCount)).toBe(Number(after.subscriberCount!.slice(0, 3)) * 10 ** (after.subscriberCount!.length - 3));
    expect(Number(after.viewCount)).toBeGreaterThan(Number(before.viewCount));
    expect(after.videoCount).toBe(before.videoCount);
  });

  it("a hidden subscriber count stays hidden while the views grow", async () => {
    const before = await channelStats(ADA_BRAND);
    sb.control.advanceTime(30 * DAY);
    const after = await channelStats(ADA_BRAND);
    expect(after.subscriberCount).toBeUndefined();
    expect(after.hiddenSubscriberCount).toBe(true);
    expect(Number(after.viewCount)).toBeGreaterThan(Number(before.viewCount));
  });

  it("each video's views grow, likes and comments follow; hidden likes stay absent", async () => {
    const { uploads } = await channelStats(ADA);
    const before = await videoStats(ADA, uploads);
    sb.control.advanceTime(5 * DAY);
    const after = await videoStats(ADA, uploads);
    expect(after.map((v) => v.id)).toEqual(before.map((v) => v.id));
    for (const [i, video] of after.entries()) {
      const old = before[i]!.statistics;
      expect(Number(video.statistics.viewCount)).toBeGreaterThan(Number(old.viewCount));
      expect(video.statistics.likeCount === undefined).toBe(old.likeCount === undefined);
      if (old.likeCount !== undefined) expect(Number(video.statistics.likeCount)).toBeGreaterThanOrEqual(Number(old.likeCount));
    }
  });
});
