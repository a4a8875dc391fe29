/**
 * Analytics snapshots and video lists against hostile provider answers (docs/security.md S78–S82):
 * dates no database column can hold, one video repeated, more videos than were asked for, an
 * uploads playlist id that is not one, a video id no text column can hold.
 * YouTube is answered by a fake data API (the sandbox answers only what Google would).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { eq, sql } from "drizzle-orm";
import type { DatabaseHandle } from "@/lib/db/client";
import { recordSnapshot } from "@/lib/analytics/snapshot-store";
import { getAccountAnalytics } from "@/lib/analytics/query-service";
import { SNAPSHOT_VIDEOS, videoStatOf } from "@/lib/connections/account-stats";
import { recentVideos } from "@/lib/providers/youtube/videos";
import type { YouTubeDataApi } from "@/lib/providers/youtube/api-client";
import { YouTubeVideoSource } from "@/lib/providers/youtube/video-source";
import { YOUTUBE_READONLY } from "@/lib/providers/youtube/config";
import { tikTokVideoView, VideoService } from "@/lib/providers/tiktok/video-list";
import { TikTokStatsSource } from "@/lib/providers/tiktok/stats-source";
import { socialAccounts } from "@/lib/db/schema";
import { accountsOf } from "@/lib/connections/owned-accounts";
import type { TokenCipher } from "@/lib/crypto/token-cipher";
import { createTestDatabase, usingRealPostgres } from "../helpers/test-db";
import { ownedTestAccount, reading, videoStat } from "../helpers/analytics-kit";

const NOW = new Date("2026-11-30T12:00:00Z");
const MEDIA = "https://youtube.example";

let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(() => h.close());

/** A YouTube data API that answers `answers[method]` (parsed by the caller's schema, as the client does) and records what was asked. */
function fakeYouTube(answers: { playlist: unknown; videos: (ids: string[]) => unknown }) {
  const asked: { method: string; params: Record<string, string> }[] = [];
  const api: YouTubeDataApi = {
    mediaOrigin: MEDIA,
    get: async <T,>(method: string, params: Record<string, string>, _token: unknown, schema: z.ZodType<T>) => {
      asked.push({ method, params });
      const json = method === "playlistItems.list" ? answers.playlist : answers.videos((params.id ?? "").split(","));
      return schema.parse(json);
    },
  } as YouTubeDataApi;
  return { api, asked };
}

const playlistOf = (items: { videoId: string; videoPublishedAt?: string }[]) => ({ items: items.map((contentDetails) => ({ contentDetails })) });
const videosOf = (ids: string[], publishedAt?: string) => ({
  items: ids.map((id) => ({ id, snippet: { title: `Video ${id}`, ...(publishedAt ? { publishedAt } : {}) }, statistics: { viewCount: "10", likeCount: "1", commentCount: "0" } })),
});
const storedVideoRows = async (accountId: string) =>
  Number(
    ((await h.db.execute(sql`select count(*)::int as n from video_stat_snapshots where account_id = ${accountId}`)) as unknown as { rows: { n: number }[] })
      .rows[0]!.n,
  );

describe(`analytics against hostile provider answers (${usingRealPostgres ? "PostgreSQL" : "PGlite"})`, { timeout: 60_000 }, () => {
  it("S78: a YouTube publish date no column can hold (year 0, a six-digit year) is no date, and the snapshot with it is recorded", async () => {
    for (const date of ["0000-01-01T00:00:00Z", "+010000-01-01T00:00:00Z", "-001000-01-01T00:00:00Z"]) {
      const { api } = fakeYouTube({ playlist: playlistOf([{ videoId: "vid1" }]), videos: (ids) => videosOf(ids, date) });
      const page = await recentVideos(api, "token", "UUplaylist", { maxResults: 20 });
      const owned = await ownedTestAccount(h.db, { platform: "YOUTUBE", now: NOW });
      await expect(recordSnapshot(h.db, owned.id, NOW, reading(1, page.videos.map((v) => videoStatOf(v, false))))).resolves.toBeUndefined();
      expect(await storedVideoRows(owned.id)).toBe(1);
      expect(page.videos.map((v) => v.createdAt)).toEqual([null]);
    }
  });

  it("S78: a TikTok create_time beyond what a date can hold, or before 1970, is no date: the list does not throw and the snapshot is recorded", async () => {
    for (const createTime of [1e13, -62_167_219_200, -1]) {
      const view = tikTokVideoView({ id: "7300000000000000001", title: "t", create_time: createTime }, undefined);
      expect(view.createdAt).toBeNull();
      const owned = await ownedTestAccount(h.db, { now: NOW });
      await expect(recordSnapshot(h.db, owned.id, NOW, reading(1, [videoStatOf(view, true)]))).resolves.toBeUndefined();
    }
    // A real date is kept as it was.
    expect(tikTokVideoView({ id: "1", create_time: 1_700_000_000 }, undefined).createdAt).toBe("2023-11-14T22:13:20.000Z");
  });

  it("S79: a video the network repeats in one answer is summed once in the engagement point, as it is recorded once", async () => {
    const owned = await ownedTestAccount(h.db, { now: NOW });
    const repeated = Array.from({ length: 10 }, () => videoStat("same", 1_000));
    await recordSnapshot(h.db, owned.id, NOW, reading(1, [videoStat("other", 500), ...repeated]));
    expect(await storedVideoRows(owned.id)).toBe(2);
    const { engagementPoints } = await getAccountAnalytics(h.db, owned, 7, new Date(NOW.getTime() + 1000));
    expect(engagementPoints.map((p) => [p.views, p.likes, p.comments, p.shares])).toEqual([[1_500, 150, 15, 7]]);
  });

  it("S80: a YouTube playlist page longer than asked for: videos.list is asked for at most that many ids, and the page holds at most that many", async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ videoId: `vid${i}` }));
    const { api, asked } = fakeYouTube({ playlist: playlistOf(many), videos: (ids) => videosOf(ids) });
    const page = await recentVideos(api, "token", "UUplaylist", { maxResults: SNAPSHOT_VIDEOS });
    const videosCall = asked.find((a) => a.method === "videos.list")!;
    expect(videosCall.params.id!.split(",").length).toBeLessThanOrEqual(SNAPSHOT_VIDEOS);
    expect(page.videos.length).toBeLessThanOrEqual(SNAPSHOT_VIDEOS);
  });

  it("S80: a playlist video id that is not a YouTube id (a comma list of ids) is not sent to videos.list", async () => {
    const smuggled = Array.from({ length: 12 }, (_, i) => `x${i}`).join(",");
    const { api, asked } = fakeYouTube({ playlist: playlistOf([{ videoId: "vid1" }, { videoId: smuggled }]), videos: (ids) => videosOf(ids) });
    await recentVideos(api, "token", "UUplaylist", { maxResults: 2 });
    expect(asked.find((a) => a.method === "videos.list")!.params.id).toBe("vid1");
  });

  it("S80: a snapshot records at most SNAPSHOT_VIDEOS videos whatever the network answered (TikTok allows 100 a page), and sums only those", async () => {
    const owned = await ownedTestAccount(h.db, { now: NOW });
    const videos = Array.from({ length: 100 }, (_, i) => videoStat(`v${i}`, 100));
    await recordSnapshot(h.db, owned.id, NOW, reading(1, videos));
    expect(await storedVideoRows(owned.id)).toBe(SNAPSHOT_VIDEOS);
    const { engagementPoints } = await getAccountAnalytics(h.db, owned, 7, new Date(NOW.getTime() + 1000));
    expect(engagementPoints.map((p) => p.views)).toEqual([SNAPSHOT_VIDEOS * 100]);
  });

  it("S81: a channel whose uploads playlist id is not one: the snapshot still records the channel's counts and the videos page is empty, not a 400", async () => {
    const channelId = "UCabcdefghijklmnopqrstuv";
    const channel = {
      items: [
        {
          id: channelId,
          snippet: { title: "Hostile" },
          contentDetails: { relatedPlaylists: { uploads: "UU/../../videos?id=x" } },
          statistics: { subscriberCount: "1230", videoCount: "3", viewCount: "99" },
        },
      ],
    };
    const asked: string[] = [];
    // The fake never reads the token, so no cipher or refresher is reached.
    const api = {
      mediaOrigin: MEDIA,
      get: async <T,>(method: string, _params: Record<string, string>, _token: unknown, schema: z.ZodType<T>) => {
        asked.push(method);
        if (method !== "channels.list") throw new Error(`unexpected ${method}`);
        return schema.parse(channel);
      },
    } as unknown as ConstructorParameters<typeof YouTubeVideoSource>[0]["api"];
    const source = new YouTubeVideoSource({ db: h.db, cipher: {} as TokenCipher, refresher: { refresh: async () => ({ status: "not_found" }) } as never, api, scopes: [YOUTUBE_READONLY] });
    const seeded = await ownedTestAccount(h.db, { platform: "YOUTUBE", scopes: [YOUTUBE_READONLY], now: NOW });
    await h.db.update(socialAccounts).set({ platformUserId: channelId }).where(eq(socialAccounts.id, seeded.id));
    const owned = (await accountsOf(h.db, seeded.userId).get(seeded.id))!;

    const snapshot = await source.read(owned);
    expect(snapshot.account).toMatchObject({ followers: 1230, videos: 3, views: 99 });
    expect(snapshot.videos).toEqual([]);
    expect(await source.page(owned)).toEqual({ videos: [], nextCursor: null });
    expect(asked.filter((m) => m !== "channels.list")).toEqual([]);
  });

  it("S82: a TikTok video whose id is not one (a NUL no text column takes) is left out; the snapshot of the others is recorded", async () => {
    const videos = [
      { id: "7300000000000000001", title: "fine", view_count: 5, like_count: 1, comment_count: 0, share_count: 0 },
      { id: "73\u0000x", title: "hostile", view_count: 7, like_count: 0, comment_count: 0, share_count: 0 },
    ];
    const api = {
      userStats: async () => ({ follower_count: 3, following_count: 1, likes_count: 2, video_count: 2 }),
      listVideos: async () => ({ videos, has_more: false }),
    };
    const owned = await ownedTestAccount(h.db, { now: NOW });
    const snapshot = await new TikTokStatsSource(api).read(owned);
    await expect(recordSnapshot(h.db, owned.id, NOW, snapshot)).resolves.toBeUndefined();
    expect(await storedVideoRows(owned.id)).toBe(1);
    const page = await new VideoService(api).page(owned);
    expect(page.videos.map((v) => v.id)).toEqual(["7300000000000000001"]);
  });
});
