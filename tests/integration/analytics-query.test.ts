/**
 * The analytics query service (issue #13) on the database: points within the range and oldest
 * first, engagement summed per snapshot, top videos by views gained, the dashboard's 7-day
 * change and trend for several accounts at once. Snapshots are written by the sweeper's own store.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { recordSnapshot } from "@/lib/analytics/snapshot-store";
import { getAccountAnalytics, getDashboardSummaries, MAX_CHART_POINTS, TREND_POINTS } from "@/lib/analytics/query-service";
import { createTestDatabase } from "../helpers/test-db";
import { ownedTestAccount, reading, videoStat } from "../helpers/analytics-kit";

const NOW = new Date("2026-11-30T12:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(NOW.getTime() - ms);

let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(() => h.close());

describe("getAccountAnalytics", () => {
  it("returns the range's points oldest first, engagement per snapshot and the last snapshot time", async () => {
    const owned = await ownedTestAccount(h.db, { now: NOW });
    await recordSnapshot(h.db, owned.id, ago(10 * DAY), reading(50, [videoStat("old", 100)]));
    await recordSnapshot(h.db, owned.id, ago(2 * DAY), reading(100, [videoStat("a", 1000), videoStat("b", 0, { likes: 0, comments: 0, shares: 0 })]));
    await recordSnapshot(h.db, owned.id, ago(1 * DAY), reading(120, [videoStat("a", 2000), videoStat("b", 500)]));

    const result = await getAccountAnalytics(h.db, owned, 7, NOW);
    expect(result.accountId).toBe(owned.id);
    expect(result.accountStatsGranted).toBe(true);
    expect(result.accountPoints.map((p) => [p.at.toISOString(), p.followers])).toEqual([
      [ago(2 * DAY).toISOString(), 100],
      [ago(1 * DAY).toISOString(), 120],
    ]);
    expect(result.accountPoints[1]).toMatchObject({ following: 10, likes: 360, videos: 2, views: null });
    expect(result.engagementPoints).toHaveLength(2);
    expect(result.engagementPoints[1]).toMatchObject({ views: 2500, likes: 250, comments: 25, shares: 12 });
    expect(result.engagementPoints[1]!.engagementRate).toBeCloseTo((250 + 25 + 12) / 2500, 12);
    expect(result.lastSnapshotAt?.toISOString()).toBe(ago(1 * DAY).toISOString());

    const wide = await getAccountAnalytics(h.db, owned, 30, NOW);
    expect(wide.accountPoints.map((p) => p.followers)).toEqual([50, 100, 120]);
  });

  it("ranks top videos by views gained in the range; a video first seen in the range gained its full count", async () => {
    const owned = await ownedTestAccount(h.db, { now: NOW });
    // "steady" existed before the range: it gains latest − earliest within the range.
    await recordSnapshot(h.db, owned.id, ago(20 * DAY), reading(1, [videoStat("steady", 10_000)]));
    await recordSnapshot(h.db, owned.id, ago(6 * DAY), reading(1, [videoStat("steady", 50_000)]));
    await recordSnapshot(h.db, owned.id, ago(3 * DAY), reading(1, [videoStat("steady", 51_000), videoStat("fresh", 3_000, { title: "New one", shareUrl: "https://www.tiktok.com/@a/video/1", publishedAt: ago(4 * DAY) })]));
    await recordSnapshot(h.db, owned.id, ago(1 * DAY), reading(1, [videoStat("steady", 52_000), videoStat("fresh", 4_000, { title: "New one, renamed" })]));

    const { topVideos } = await getAccountAnalytics(h.db, owned, 7, NOW);
    expect(topVideos.map((v) => [v.videoId, v.viewsGained, v.views])).toEqual([
      ["fresh", 4_000, 4_000],
      ["steady", 2_000, 52_000],
    ]);
    expect(topVideos[0]).toMatchObject({ title: "New one, renamed", likes: 400, comments: 40, shares: 20 });
    expect(topVideos[0]!.engagementRate).toBeCloseTo(460 / 4000, 12);
  });

  it("a video that left the recent list and came back: latest and earliest counts within the range, also for a range that ends before its last sighting", async () => {
    const owned = await ownedTestAccount(h.db, { now: NOW });
    await recordSnapshot(h.db, owned.id, ago(20 * DAY), reading(1, [videoStat("back", 100)]));
    await recordSnapshot(h.db, owned.id, ago(6 * DAY), reading(1, [videoStat("back", 500), videoStat("other", 10)]));
    await recordSnapshot(h.db, owned.id, ago(3 * DAY), reading(1, [videoStat("other", 20)]));
    await recordSnapshot(h.db, owned.id, ago(1 * DAY), reading(1, [videoStat("back", 900), videoStat("other", 30)]));

    const now = await getAccountAnalytics(h.db, owned, 7, NOW);
    expect(now.topVideos.map((v) => [v.videoId, v.viewsGained, v.views])).toEqual([
      ["back", 400, 900],
      ["other", 30, 30],
    ]);
    const earlier = await getAccountAnalytics(h.db, owned, 7, ago(2 * DAY));
    expect(earlier.topVideos.map((v) => [v.videoId, v.viewsGained, v.views])).toEqual([
      ["other", 20, 20],
      ["back", 0, 500],
    ]);
    const beforeAll = await getAccountAnalytics(h.db, owned, 7, ago(21 * DAY));
    expect(beforeAll.topVideos).toEqual([]);
  });

  it("a late write of an older snapshot does not hide a video's newer counts", async () => {
    const owned = await ownedTestAccount(h.db, { now: NOW });
    await recordSnapshot(h.db, owned.id, ago(1 * DAY), reading(1, [videoStat("x", 900)]));
    await recordSnapshot(h.db, owned.id, ago(3 * DAY), reading(1, [videoStat("x", 500)]));
    const { topVideos } = await getAccountAnalytics(h.db, owned, 7, NOW);
    expect(topVideos.map((v) => [v.videoId, v.viewsGained, v.views])).toEqual([["x", 900, 900]]);
  });

  it("a snapshot lands whole or not at all: a video row the database refuses leaves no account row either", async () => {
    const owned = await ownedTestAccount(h.db, { now: NOW });
    const broken = videoStat("bad", 1, { title: null as unknown as string });
    await expect(recordSnapshot(h.db, owned.id, ago(HOUR), reading(7, [videoStat("fine", 1), broken]))).rejects.toThrow();
    const result = await getAccountAnalytics(h.db, owned, 7, NOW);
    expect(result).toMatchObject({ accountPoints: [], engagementPoints: [], topVideos: [], lastSnapshotAt: null });
  });

  it("YouTube: no share count (null), engagement from likes and comments; a TikTok grant without user.info.stats says so", async () => {
    const channel = await ownedTestAccount(h.db, { now: NOW, platform: "YOUTUBE", scopes: ["https://www.googleapis.com/auth/youtube.readonly"] });
    await recordSnapshot(h.db, channel.id, ago(HOUR), {
      account: { followers: 1230, following: null, likes: null, videos: 30, views: 99_000 },
      accountStatsGranted: true,
      videos: [videoStat("yt1", 1000, { shares: null })],
      videosListed: true,
    });
    const yt = await getAccountAnalytics(h.db, channel, 7, NOW);
    expect(yt.accountStatsGranted).toBe(true);
    expect(yt.engagementPoints[0]).toMatchObject({ views: 1000, shares: null });
    expect(yt.engagementPoints[0]!.engagementRate).toBeCloseTo(110 / 1000, 12);
    expect(yt.topVideos[0]!.shares).toBeNull();

    const noStats = await ownedTestAccount(h.db, { now: NOW, scopes: ["user.info.basic", "video.list"] });
    await recordSnapshot(h.db, noStats.id, ago(HOUR), reading(null, [videoStat("v", 10)]));
    const tt = await getAccountAnalytics(h.db, noStats, 7, NOW);
    expect(tt.accountStatsGranted).toBe(false);
    expect(tt.accountPoints).toEqual([{ at: ago(HOUR), followers: null, following: null, likes: null, videos: null, views: null }]);
    expect(tt.engagementPoints).toHaveLength(1);
  });

  it("a snapshot without a video list (no video.list grant) has account counts but no engagement point", async () => {
    const owned = await ownedTestAccount(h.db, { now: NOW, scopes: ["user.info.basic", "user.info.stats"] });
    await recordSnapshot(h.db, owned.id, ago(HOUR), reading(42, [], { videosListed: false }));
    const result = await getAccountAnalytics(h.db, owned, 7, NOW);
    expect(result.accountPoints.map((p) => p.followers)).toEqual([42]);
    expect(result.engagementPoints).toEqual([]);
  });

  it("an account without snapshots: empty series, no last snapshot; zero views give a null rate", async () => {
    const owned = await ownedTestAccount(h.db, { now: NOW });
    expect(await getAccountAnalytics(h.db, owned, 90, NOW)).toMatchObject({ accountPoints: [], engagementPoints: [], topVideos: [], lastSnapshotAt: null });
    await recordSnapshot(h.db, owned.id, ago(HOUR), reading(5, [videoStat("z", 0, { likes: 0, comments: 0, shares: 0 })]));
    expect((await getAccountAnalytics(h.db, owned, 7, NOW)).engagementPoints[0]!.engagementRate).toBeNull();
  });

  it("a short interval (development) is thinned to at most MAX_CHART_POINTS, keeping the newest", async () => {
    const owned = await ownedTestAccount(h.db, { now: NOW });
    const total = MAX_CHART_POINTS * 2 + 7;
    for (let i = 0; i < total; i++) await recordSnapshot(h.db, owned.id, ago(i * 60_000), reading(10_000 - i, [videoStat("v", 10_000 - i)]));
    const result = await getAccountAnalytics(h.db, owned, 7, NOW);
    expect(result.accountPoints.length).toBeLessThanOrEqual(MAX_CHART_POINTS);
    expect(result.accountPoints.length).toBeGreaterThan(MAX_CHART_POINTS / 2);
    expect(result.accountPoints.at(-1)!.at.toISOString()).toBe(NOW.toISOString());
    expect(result.engagementPoints.length).toBe(result.accountPoints.length);
    const times = result.accountPoints.map((p) => p.at.getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });
});

describe("getDashboardSummaries", () => {
  it("latest, 7-day change against the snapshot nearest a week before, a ≤60-point trend, in the given order", async () => {
    const grown = await ownedTestAccount(h.db, { now: NOW });
    const young = await ownedTestAccount(h.db, { now: NOW, userId: grown.userId });
    const empty = await ownedTestAccount(h.db, { now: NOW, userId: grown.userId });
    // 6-hourly for 40 days: followers grow by 1 a snapshot.
    for (let i = 0; i <= 160; i++) {
      const at = ago(i * 6 * HOUR + HOUR);
      await recordSnapshot(h.db, grown.id, at, { account: { followers: 1000 - i, following: 5, likes: 5000 - 2 * i, videos: 40 - Math.floor(i / 40), views: null }, accountStatsGranted: true, videos: [], videosListed: true });
    }
    await recordSnapshot(h.db, young.id, ago(2 * DAY), reading(10, []));
    await recordSnapshot(h.db, young.id, ago(HOUR), reading(15, []));

    const [g, y, e] = await getDashboardSummaries(h.db, [grown, young, empty], NOW);
    expect(g!.accountId).toBe(grown.id);
    expect(g!.latest).toMatchObject({ followers: 1000, likes: 5000, videos: 40 });
    // 7 days = 28 snapshots back.
    expect(g!.change7d).toEqual({ followers: 28, likes: 56, videos: 0 });
    expect(g!.followersTrend.length).toBeLessThanOrEqual(TREND_POINTS);
    expect(g!.followersTrend.length).toBeGreaterThan(TREND_POINTS / 2);
    expect(g!.followersTrend.at(-1)).toEqual({ at: ago(HOUR), followers: 1000 });
    expect(g!.followersTrend[0]!.at.getTime()).toBeGreaterThanOrEqual(ago(30 * DAY).getTime());

    expect(y!.latest?.followers).toBe(15);
    expect(y!.change7d).toEqual({ followers: null, likes: null, videos: null });
    expect(y!.followersTrend.map((p) => p.followers)).toEqual([10, 15]);

    expect(e).toEqual({ accountId: empty.id, latest: null, change7d: { followers: null, likes: null, videos: null }, followersTrend: [], accountStatsGranted: true });
  });

  it("no accounts: no query, no summaries", async () => {
    expect(await getDashboardSummaries(h.db, [], NOW)).toEqual([]);
  });
});
