/**
 * Issue #13: the analytics sweeper against the TikTok and Google sandboxes — snapshots for both
 * networks, the missing-scope degrade, several points that grow as the sandbox clock moves,
 * retention, two sweepers sharing one database, refresh going on while it runs, and a 401 that
 * leaves the account as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { createManualClock } from "@/lib/clock";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { accountStatSnapshots, socialAccounts, videoStatSnapshots } from "@/lib/db/schema";
import { getAppServices } from "@/lib/services";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { ProviderCallError } from "@/lib/connections/recent-videos";
import { RefreshSweeper } from "@/lib/connections/refresh-sweeper";
import { SnapshotSweeper, type SnapshotSweeperOptions } from "@/lib/analytics/snapshot-sweeper";
import { recordSnapshot } from "@/lib/analytics/snapshot-store";
import { getAccountAnalytics } from "@/lib/analytics/query-service";
import { startAppHarness, type AppHarness } from "../helpers/app-harness";
import { seedConnectedAccounts, seedConnectedYouTubeChannels } from "../helpers/seed-accounts";
import { openSecondPool } from "../helpers/security-kit";
import { usingRealPostgres } from "../helpers/test-db";
import { reading, videoStat } from "../helpers/analytics-kit";

const TIKTOK_SCOPES = ["user.info.basic", "user.info.stats", "video.list"];
const INTERVAL = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe(`analytics snapshots (${usingRealPostgres ? "PostgreSQL" : "PGlite"})`, { timeout: 90_000 }, () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness({ env: { RATE_LIMIT_PER_MINUTE: "100000", RATE_LIMIT_PER_DAY: "1000000" } });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  /** A sweeper over the app's own stats sources; its clock starts now (tokens were issued now). */
  async function sweeper(over: Partial<SnapshotSweeperOptions> = {}) {
    const clock = createManualClock(new Date());
    const { accountStats } = await getAppServices();
    return { clock, sweeper: new SnapshotSweeper({ db: h.db, sources: accountStats, intervalMs: INTERVAL, retentionDays: 400, clock, ...over }) };
  }

  async function seedTikTok(count: number, scopes = TIKTOK_SCOPES) {
    return seedConnectedAccounts({ db: h.db, cipher: getTokenCipher(), sandbox: h.sandbox, count, now: new Date(), scopes });
  }

  async function seedYouTube(count: number) {
    return seedConnectedYouTubeChannels({
      db: h.db,
      cipher: getTokenCipher(),
      issueGoogleTokens: async (requests) => requests.map((r) => h.google.control.issueTokensDirectly(r)),
      count,
      now: new Date(),
    });
  }

  const snapshotsOf = (accountId: string) => h.db.select().from(accountStatSnapshots).where(eq(accountStatSnapshots.accountId, accountId)).orderBy(accountStatSnapshots.takenAt);
  const videoRowsOf = (accountId: string) => h.db.select().from(videoStatSnapshots).where(eq(videoStatSnapshots.accountId, accountId));
  const rowOf = async (accountId: string) => (await h.db.select().from(socialAccounts).where(eq(socialAccounts.id, accountId)))[0]!;

  /** Only these accounts are due (earlier tests' accounts wait): faults queued at the sandbox hit them. */
  async function onlyDue(ids: string[]) {
    await h.db.execute(sql`update social_accounts set analytics_due_at = now() + interval '1 day' where not (id = any(${sql.param(ids)}::text[]))`);
  }

  /** Sweeps until nothing more is claimed. */
  async function drain(s: SnapshotSweeper): Promise<number> {
    let total = 0;
    for (;;) {
      const { claimed } = await s.sweepOnce();
      total += claimed;
      if (claimed === 0) return total;
    }
  }

  it("snapshots a TikTok account (user info stats + recent videos) and a YouTube channel (channels.list + uploads), then schedules the next one", async () => {
    const { accounts: [tiktok] } = await seedTikTok(1);
    const { accounts: [channel] } = await seedYouTube(1);
    const quotaBefore = h.google.control.quota().used;
    const { sweeper: s, clock } = await sweeper();
    const result = await s.sweepOnce();
    expect(result.outcomes.ok).toBeGreaterThanOrEqual(2);

    for (const account of [tiktok!, channel!]) {
      const [snapshot] = await snapshotsOf(account.id);
      expect(snapshot!.followers).toBeGreaterThan(0);
      expect(snapshot!.videos).toBeGreaterThan(0);
      expect((await videoRowsOf(account.id)).length).toBeGreaterThan(0);
      const row = await rowOf(account.id);
      expect(row.analyticsDueAt.getTime()).toBe(clock.now().getTime() + INTERVAL);
      expect(row.analyticsLeaseId).toBeNull();
      expect(row.status).toBe("ACTIVE");
    }
    const [tt] = await snapshotsOf(tiktok!.id);
    expect(tt).toMatchObject({ following: expect.any(Number), likes: expect.any(Number), views: null });
    const [yt] = await snapshotsOf(channel!.id);
    expect(yt).toMatchObject({ following: null, likes: null, views: expect.any(Number) });
    // YouTube reports no shares; the quota ledger was charged (channels.list + playlistItems + videos).
    expect((await videoRowsOf(channel!.id)).every((v) => v.shares === null)).toBe(true);
    expect(h.google.control.quota().used - quotaBefore).toBe(3);
    // Not due again within the interval.
    expect((await s.sweepOnce()).claimed).toBe(0);
  });

  it("a TikTok grant without user.info.stats: videos only, no user info call, and the analytics say the permission is missing", async () => {
    const { userId, accounts: [account] } = await seedTikTok(1, ["user.info.basic", "video.list"]);
    await onlyDue([account!.id]);
    const userInfoBefore = h.sandbox.control.counters().user_info;
    const { sweeper: s } = await sweeper();
    await drain(s);
    expect(h.sandbox.control.counters().user_info).toBe(userInfoBefore);
    const [snapshot] = await snapshotsOf(account!.id);
    expect(snapshot).toMatchObject({ followers: null, following: null, likes: null, videos: null });
    expect((await videoRowsOf(account!.id)).length).toBeGreaterThan(0);
    const owned = (await accountsOf(h.db, userId).get(account!.id))!;
    const analytics = await getAccountAnalytics(h.db, owned, 7, new Date(Date.now() + DAY));
    expect(analytics.accountStatsGranted).toBe(false);
    expect(analytics.engagementPoints).toHaveLength(1);
  });

  it("advancing the sandbox clock between sweeps gives several points that grow", async () => {
    const { userId, accounts: [account] } = await seedTikTok(1);
    const { sweeper: s, clock } = await sweeper();
    for (let i = 0; i < 4; i++) {
      await drain(s);
      h.sandbox.control.advanceTime(12 * HOUR);
      clock.advance(INTERVAL + 1000);
    }
    const owned = (await accountsOf(h.db, userId).get(account!.id))!;
    const analytics = await getAccountAnalytics(h.db, owned, 7, clock.now());
    const followers = analytics.accountPoints.map((p) => p.followers!);
    expect(followers).toHaveLength(4);
    for (let i = 1; i < followers.length; i++) expect(followers[i]).toBeGreaterThan(followers[i - 1]!);
    const views = analytics.engagementPoints.map((p) => p.views);
    for (let i = 1; i < views.length; i++) expect(views[i]).toBeGreaterThan(views[i - 1]!);
    expect(analytics.topVideos.length).toBeGreaterThan(0);
    expect(analytics.topVideos[0]!.viewsGained).toBeGreaterThan(0);
  });

  it("retention deletes rows older than ANALYTICS_RETENTION_DAYS in bounded batches and keeps the rest", async () => {
    const { accounts: [account] } = await seedTikTok(1);
    const now = new Date();
    for (let i = 0; i < 7; i++) await recordSnapshot(h.db, account!.id, new Date(now.getTime() - (40 + i) * DAY), reading(100, [videoStat(`old-${i}`, 10)]));
    await recordSnapshot(h.db, account!.id, new Date(now.getTime() - DAY), reading(120, [videoStat("new", 10)]));
    const { sweeper: s } = await sweeper({ retentionDays: 30 });
    expect(await s.trimRetention()).toBe(7 + 7 + 7);
    expect((await snapshotsOf(account!.id)).map((r) => r.followers)).toEqual([120]);
    expect((await videoRowsOf(account!.id)).map((r) => r.videoId)).toEqual(["new"]);
    const videos = await h.db.execute(sql`select video_id from analytics_videos where account_id = ${account!.id}`);
    expect((videos as unknown as { rows: { video_id: string }[] }).rows.map((r) => r.video_id)).toEqual(["new"]);
    expect(await s.trimRetention()).toBe(0);
  });

  it("two sweepers on one database: every due account is snapshotted exactly once", async () => {
    const { accounts } = await seedTikTok(24);
    const second = await openSecondPool(h);
    try {
      const clock = createManualClock(new Date());
      const { accountStats } = await getAppServices();
      const options = { sources: accountStats, intervalMs: INTERVAL, retentionDays: 400, clock, batchSize: 5, concurrency: 3 };
      const a = new SnapshotSweeper({ db: h.db, ...options });
      const b = new SnapshotSweeper({ db: second?.db ?? h.db, ...options });
      const [claimedA, claimedB] = await Promise.all([drain(a), drain(b)]);
      expect(claimedA + claimedB).toBeGreaterThanOrEqual(accounts.length);
      if (usingRealPostgres) expect(Math.min(claimedA, claimedB)).toBeGreaterThan(0);
      const counts = await h.db.execute(sql`
        select s.account_id, count(*)::int as n from account_stat_snapshots s
        where s.account_id in (${sql.join(accounts.map((x) => sql`${x.id}`), sql`, `)}) group by s.account_id`);
      const rows = (counts as unknown as { rows: { n: number }[] }).rows;
      expect(rows).toHaveLength(accounts.length);
      expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    } finally {
      await second?.close();
    }
  });

  it("refresh goes on while the analytics sweeper runs against a slow TikTok; a token near its end is left to the refresher", async () => {
    const { accounts } = await seedTikTok(6);
    await onlyDue(accounts.map((a) => a.id));
    const nearEnd = accounts[0]!;
    await h.db.update(socialAccounts).set({ tokenExpiry: new Date(Date.now() + 2 * 60_000), nextRefreshAt: new Date(Date.now() - 1000) }).where(eq(socialAccounts.id, nearEnd.id));
    h.sandbox.control.queueFault("video_list", { kind: "delay", ms: 1500 }, 100);
    const { sweeper: snapshots } = await sweeper({ idleMs: 50 });
    const { refresher } = await getAppServices();
    const refreshes = new RefreshSweeper({ db: h.db, refresher, idleMs: 50 });
    snapshots.start();
    refreshes.start();
    try {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && (await rowOf(nearEnd.id)).tokenExpiry.getTime() < Date.now() + HOUR) {
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await Promise.all([snapshots.stop(), refreshes.stop()]);
      h.sandbox.control.clearFaults();
    }
    const refreshed = await rowOf(nearEnd.id);
    expect(refreshed.tokenExpiry.getTime()).toBeGreaterThan(Date.now() + HOUR);
    expect(refreshed.status).toBe("ACTIVE");
    // The analytics sweeper never took the near-end account while its token was short.
    expect(refreshed.analyticsLeaseId).toBeNull();
  });

  it("a 401 from TikTok on a snapshot: one refresh and one retry; still refused → the account stays ACTIVE, the snapshot waits an interval", async () => {
    const { accounts: [account] } = await seedTikTok(1);
    await onlyDue([account!.id]);
    h.sandbox.control.queueFault("user_info", { kind: "api_error", code: "access_token_invalid", status: 401 }, 2);
    const refreshesBefore = h.sandbox.control.counters().tokenByGrant.refresh_token;
    const { sweeper: s, clock } = await sweeper();
    await drain(s);
    h.sandbox.control.clearFaults();
    expect(h.sandbox.control.counters().tokenByGrant.refresh_token - refreshesBefore).toBe(1);
    const row = await rowOf(account!.id);
    expect(row.status).toBe("ACTIVE");
    expect(row.analyticsDueAt.getTime()).toBe(clock.now().getTime() + INTERVAL);
    expect(await snapshotsOf(account!.id)).toEqual([]);
  });

  it("a budget or rate refusal moves the snapshot to when it lifts (≥ 1 min, ≤ the interval); a network outage to 15 minutes at most", async () => {
    const { accounts: [account] } = await seedTikTok(1);
    let answer: ProviderCallError = new ProviderCallError(429, "budget_exceeded", "x", 120);
    const sources = new Map([["TIKTOK" as const, { read: () => Promise.reject(answer) }]]);
    const clock = createManualClock(new Date());
    const s = new SnapshotSweeper({ db: h.db, sources, intervalMs: 6 * HOUR, retentionDays: 400, clock });
    expect((await s.sweepOnce()).outcomes.budget_exceeded).toBeGreaterThanOrEqual(1);
    expect((await rowOf(account!.id)).analyticsDueAt.getTime()).toBe(clock.now().getTime() + 120_000);
    clock.advance(120_000);
    answer = new ProviderCallError(503, "tiktok_unavailable", "x");
    await s.sweepOnce();
    expect((await rowOf(account!.id)).analyticsDueAt.getTime()).toBe(clock.now().getTime() + 15 * 60_000);
    expect((await rowOf(account!.id)).status).toBe("ACTIVE");
  });
});
