import { sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import type { OwnedAccount } from "@/lib/connections/owned-accounts";
import { countChange, engagementRate } from "./engagement";
import { accountStatsGranted } from "./stats-scopes";
import type { AccountAnalytics, AccountStatPoint, AccountSummary, AnalyticsRangeDays, EngagementPoint, TopVideo } from "./types";

const DAY_MS = 86_400_000;
/**
 * Most points a chart gets: 90 days at the default 6-hourly interval. A shorter interval
 * (development) is thinned evenly to this many, always keeping the newest.
 */
export const MAX_CHART_POINTS = 360;
/** The dashboard sparkline: followers over 30 days, at most 60 points. */
export const TREND_DAYS = 30;
export const TREND_POINTS = 60;
const TOP_VIDEOS = 10;

/**
 * The analytics of one owned account over the last `rangeDays` (issue #13). Four small
 * queries, each an index range scan on (account_id, taken_at): account points, the recent
 * videos summed per snapshot, the top videos of the range, and the last snapshot time.
 * Reached only with an OwnedAccount: the ownership check has happened.
 */
export async function getAccountAnalytics(db: Database, owned: OwnedAccount, rangeDays: AnalyticsRangeDays, now: Date): Promise<AccountAnalytics> {
  const from = new Date(now.getTime() - rangeDays * DAY_MS);
  const accountId = owned.id;
  const [accountPoints, engagementPoints, topVideos, lastSnapshotAt] = await Promise.all([
    accountPointsIn(db, accountId, from, now),
    engagementPointsIn(db, accountId, from, now),
    topVideosIn(db, accountId, from, now),
    lastSnapshot(db, accountId, now),
  ]);
  return {
    accountId,
    rangeDays,
    accountPoints,
    engagementPoints,
    topVideos,
    lastSnapshotAt,
    accountStatsGranted: accountStatsGranted(owned.row),
  };
}

/**
 * Every owned account at a glance, in the order given: two queries for all of them (the latest
 * snapshot with the one nearest 7 days before it, and the followers trend), never one per account.
 */
export async function getDashboardSummaries(db: Database, owned: readonly OwnedAccount[], now: Date): Promise<AccountSummary[]> {
  if (owned.length === 0) return [];
  const ids = owned.map((account) => account.id);
  const [latest, trends] = await Promise.all([latestWithWeekBefore(db, ids, now), followersTrends(db, ids, now)]);
  return owned.map((account) => {
    const row = latest.get(account.id);
    return {
      accountId: account.id,
      latest: row?.latest ?? null,
      change7d: {
        followers: countChange(row?.latest?.followers, row?.weekBefore?.followers),
        likes: countChange(row?.latest?.likes, row?.weekBefore?.likes),
        videos: countChange(row?.latest?.videos, row?.weekBefore?.videos),
      },
      followersTrend: trends.get(account.id) ?? [],
      accountStatsGranted: accountStatsGranted(account.row),
    };
  });
}

type Row = Record<string, unknown>;

async function rowsOf(db: Database, query: SQL): Promise<Row[]> {
  // node-postgres and PGlite both answer with `{ rows }`.
  return ((await db.execute(query)) as unknown as { rows: Row[] }).rows;
}

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const date = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));

/** Keeps every k-th row counted back from the newest (`rn` 1 = newest), so at most `max` remain. */
const thinned = (max: number) => sql`(rn - 1) % greatest(1, ceil(n / ${max}::float8)::int) = 0`;

async function accountPointsIn(db: Database, accountId: string, from: Date, to: Date): Promise<AccountStatPoint[]> {
  const rows = await rowsOf(
    db,
    sql`select taken_at, followers::float8 as followers, following::float8 as following, likes::float8 as likes,
          videos::float8 as videos, views::float8 as views
        from (
          select s.*, row_number() over (order by taken_at desc) as rn, count(*) over () as n
          from account_stat_snapshots s
          where account_id = ${accountId} and taken_at >= ${from.toISOString()} and taken_at <= ${to.toISOString()}
        ) t
        where ${thinned(MAX_CHART_POINTS)}
        order by taken_at`,
  );
  return rows.map((r) => ({
    at: date(r.taken_at),
    followers: num(r.followers),
    following: num(r.following),
    likes: num(r.likes),
    videos: num(r.videos),
    views: num(r.views),
  }));
}

async function engagementPointsIn(db: Database, accountId: string, from: Date, to: Date): Promise<EngagementPoint[]> {
  const rows = await rowsOf(
    db,
    sql`select taken_at, views, likes, comments, shares
        from (
          select taken_at, coalesce(sum(views), 0)::float8 as views, coalesce(sum(likes), 0)::float8 as likes,
            coalesce(sum(comments), 0)::float8 as comments, sum(shares)::float8 as shares,
            row_number() over (order by taken_at desc) as rn, count(*) over () as n
          from video_stat_snapshots
          where account_id = ${accountId} and taken_at >= ${from.toISOString()} and taken_at <= ${to.toISOString()}
          group by taken_at
        ) t
        where ${thinned(MAX_CHART_POINTS)}
        order by taken_at`,
  );
  return rows.map((r) => {
    const counts = { views: Number(r.views), likes: Number(r.likes), comments: Number(r.comments), shares: num(r.shares) };
    return { at: date(r.taken_at), ...counts, engagementRate: engagementRate(counts) };
  });
}

/**
 * Each video's latest and earliest counts in the range; views gained is their difference, or the
 * full count for a video first seen within the range (it gained all of them there).
 */
async function topVideosIn(db: Database, accountId: string, from: Date, to: Date): Promise<TopVideo[]> {
  const fromIso = from.toISOString();
  const rows = await rowsOf(
    db,
    sql`with per_video as (
          select video_id,
            (array_agg(views order by taken_at desc))[1] as views,
            (array_agg(likes order by taken_at desc))[1] as likes,
            (array_agg(comments order by taken_at desc))[1] as comments,
            (array_agg(shares order by taken_at desc))[1] as shares,
            (array_agg(views order by taken_at asc))[1] as first_views
          from video_stat_snapshots
          where account_id = ${accountId} and taken_at >= ${fromIso} and taken_at <= ${to.toISOString()}
          group by video_id
        )
        select p.video_id, coalesce(p.views, 0)::float8 as views, coalesce(p.likes, 0)::float8 as likes,
          coalesce(p.comments, 0)::float8 as comments, p.shares::float8 as shares,
          (case when v.first_seen_at >= ${fromIso} then coalesce(p.views, 0)
                else coalesce(p.views, 0) - coalesce(p.first_views, 0) end)::float8 as views_gained,
          v.title, v.cover_url, v.share_url, v.published_at
        from per_video p
        join analytics_videos v on v.account_id = ${accountId} and v.video_id = p.video_id
        order by views_gained desc, views desc, p.video_id
        limit ${TOP_VIDEOS}`,
  );
  return rows.map((r) => {
    const counts = { views: Number(r.views), likes: Number(r.likes), comments: Number(r.comments), shares: num(r.shares) };
    return {
      videoId: String(r.video_id),
      title: String(r.title),
      coverUrl: r.cover_url === null ? null : String(r.cover_url),
      shareUrl: r.share_url === null ? null : String(r.share_url),
      publishedAt: r.published_at === null ? null : date(r.published_at),
      ...counts,
      viewsGained: Number(r.views_gained),
      engagementRate: engagementRate(counts),
    };
  });
}

async function lastSnapshot(db: Database, accountId: string, now: Date): Promise<Date | null> {
  const rows = await rowsOf(
    db,
    sql`select taken_at from account_stat_snapshots where account_id = ${accountId} and taken_at <= ${now.toISOString()}
        order by taken_at desc limit 1`,
  );
  return rows[0] ? date(rows[0].taken_at) : null;
}

const idArray = (ids: readonly string[]) => sql`${sql.param([...ids])}::text[]`;

const POINT_COLUMNS = sql`taken_at, followers::float8 as followers, following::float8 as following, likes::float8 as likes,
  videos::float8 as videos, views::float8 as views`;

/**
 * Per account: the latest snapshot, and the one nearest to 7 days before it — looked for within a
 * day either side (the last at or before, the first after), so a 2-day-old account shows no
 * "7-day change" rather than a 2-day one. Four index probes per account, one statement.
 */
async function latestWithWeekBefore(db: Database, ids: readonly string[], now: Date): Promise<Map<string, { latest: AccountStatPoint; weekBefore: AccountStatPoint | undefined }>> {
  const rows = await rowsOf(
    db,
    sql`select a.id as account_id,
          l.taken_at, l.followers, l.following, l.likes, l.videos, l.views,
          w.taken_at as w_taken_at, w.followers as w_followers, w.following as w_following, w.likes as w_likes,
          w.videos as w_videos, w.views as w_views
        from unnest(${idArray(ids)}) as a(id)
        join lateral (
          select ${POINT_COLUMNS} from account_stat_snapshots s
          where s.account_id = a.id and s.taken_at <= ${now.toISOString()}
          order by s.taken_at desc limit 1
        ) l on true
        left join lateral (
          select * from (
            (select ${POINT_COLUMNS} from account_stat_snapshots s
              where s.account_id = a.id and s.taken_at <= l.taken_at - interval '7 days' and s.taken_at >= l.taken_at - interval '8 days'
              order by s.taken_at desc limit 1)
            union all
            (select ${POINT_COLUMNS} from account_stat_snapshots s
              where s.account_id = a.id and s.taken_at > l.taken_at - interval '7 days' and s.taken_at <= l.taken_at - interval '6 days'
              order by s.taken_at asc limit 1)
          ) c
          order by abs(extract(epoch from c.taken_at - (l.taken_at - interval '7 days'))) limit 1
        ) w on true`,
  );
  const point = (r: Row, prefix: string): AccountStatPoint => ({
    at: date(r[`${prefix}taken_at`]),
    followers: num(r[`${prefix}followers`]),
    following: num(r[`${prefix}following`]),
    likes: num(r[`${prefix}likes`]),
    videos: num(r[`${prefix}videos`]),
    views: num(r[`${prefix}views`]),
  });
  return new Map(
    rows.map((r) => [String(r.account_id), { latest: point(r, ""), weekBefore: r.w_taken_at == null ? undefined : point(r, "w_") }]),
  );
}

async function followersTrends(db: Database, ids: readonly string[], now: Date): Promise<Map<string, { at: Date; followers: number }[]>> {
  const from = new Date(now.getTime() - TREND_DAYS * DAY_MS);
  const rows = await rowsOf(
    db,
    sql`select account_id, taken_at, followers::float8 as followers
        from (
          select account_id, taken_at, followers,
            row_number() over (partition by account_id order by taken_at desc) as rn,
            count(*) over (partition by account_id) as n
          from account_stat_snapshots
          where account_id = any(${idArray(ids)}) and taken_at >= ${from.toISOString()} and taken_at <= ${now.toISOString()}
            and followers is not null
        ) t
        where ${thinned(TREND_POINTS)}
        order by account_id, taken_at`,
  );
  const trends = new Map<string, { at: Date; followers: number }[]>();
  for (const r of rows) {
    const id = String(r.account_id);
    const list = trends.get(id) ?? trends.set(id, []).get(id)!;
    list.push({ at: date(r.taken_at), followers: Number(r.followers) });
  }
  return trends;
}
