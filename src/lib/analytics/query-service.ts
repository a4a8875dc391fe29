import { sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import type { OwnedAccount } from "@/lib/connections/owned-accounts";
import { countChange, engagementRate } from "./engagement";
import { accountStatsGranted } from "./stats-scopes";
import type { AccountAnalytics, AccountStatPoint, AccountSummary, AnalyticsRangeDays } from "./types";

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
 * The analytics of one owned account over the last `rangeDays` (issue #13): one statement, one
 * round trip — the account points, the recent videos summed per snapshot, the top videos of the
 * range and the last snapshot time, each an index range scan on (account_id, taken_at), come
 * back as JSON arrays of one row. Reached only with an OwnedAccount: the ownership check has
 * happened.
 */
export async function getAccountAnalytics(db: Database, owned: OwnedAccount, rangeDays: AnalyticsRangeDays, now: Date): Promise<AccountAnalytics> {
  const accountId = owned.id;
  const [row] = await rowsOf(db, analyticsStatement(owned, rangeDays, now));
  return {
    accountId,
    rangeDays,
    accountPoints: jsonRows(row?.account_points).map(([at, followers, following, likes, videos, views]) => ({
      at: new Date(Number(at)),
      followers: num(followers),
      following: num(following),
      likes: num(likes),
      videos: num(videos),
      views: num(views),
    })),
    engagementPoints: jsonRows(row?.engagement_points).map(([at, views, likes, comments, shares]) => {
      const counts = { views: Number(views), likes: Number(likes), comments: Number(comments), shares: num(shares) };
      return { at: new Date(Number(at)), ...counts, engagementRate: engagementRate(counts) };
    }),
    topVideos: jsonRows(row?.top_videos).map(([videoId, views, likes, comments, shares, gained, title, coverUrl, shareUrl, publishedMs]) => {
      const counts = { views: Number(views), likes: Number(likes), comments: Number(comments), shares: num(shares) };
      return {
        videoId: String(videoId),
        title: String(title),
        coverUrl: coverUrl == null ? null : String(coverUrl),
        shareUrl: shareUrl == null ? null : String(shareUrl),
        publishedAt: publishedMs == null ? null : new Date(Number(publishedMs)),
        ...counts,
        viewsGained: Number(gained),
        engagementRate: engagementRate(counts),
      };
    }),
    lastSnapshotAt: row?.last_snapshot_ms == null ? null : new Date(Number(row.last_snapshot_ms)),
    accountStatsGranted: accountStatsGranted(owned.row),
  };
}

/** The one statement behind getAccountAnalytics (exported for the benchmark's EXPLAIN ANALYZE). */
export function analyticsStatement(owned: OwnedAccount, rangeDays: AnalyticsRangeDays, now: Date): SQL {
  const from = new Date(now.getTime() - rangeDays * DAY_MS);
  const accountId = owned.id;
  return sql`select (${accountPointsJson(accountId, from, now)}) as account_points,
      (${engagementPointsJson(accountId, from, now)}) as engagement_points,
      (${topVideosJson(accountId, from, now)}) as top_videos,
      (select ${epochMs(sql`taken_at`)} from account_stat_snapshots where account_id = ${accountId} and taken_at <= ${now.toISOString()}
        order by taken_at desc limit 1) as last_snapshot_ms`;
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

/** A timestamp as epoch milliseconds (a JSON number: no date-string parsing on the way back). */
const epochMs = (column: SQL) => sql`round(extract(epoch from ${column}) * 1000)::float8`;

/** A JSON array of arrays from the database (node-postgres parses json; PGlite may hand back text). */
function jsonRows(value: unknown): unknown[][] {
  const parsed = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  return Array.isArray(parsed) ? (parsed as unknown[][]) : [];
}

/**
 * One account's time range as plain conditions on the primary key's columns (account_id leading,
 * then taken_at): the planner estimates them from the account's frequency and the time histogram,
 * and the B-tree serves both as one range. A row comparison `(account_id, taken_at) >= (…)` was
 * used before: PostgreSQL estimates a row comparison from its first column only, so every range
 * was costed as the account's whole history — up to a third of the table in the 3k-account
 * benchmark — and the planner chose sequential scans over every account's rows.
 */
const inRange = (accountId: string, from: Date, to: Date) =>
  sql`account_id = ${accountId} and taken_at >= ${from.toISOString()}::timestamptz and taken_at <= ${to.toISOString()}::timestamptz`;

function accountPointsJson(accountId: string, from: Date, to: Date): SQL {
  return sql`select coalesce(json_agg(json_build_array(${epochMs(sql`taken_at`)}, followers, following, likes, videos, views) order by taken_at), '[]')
    from (
      select s.*, row_number() over (order by taken_at desc) as rn, count(*) over () as n
      from account_stat_snapshots s where ${inRange(accountId, from, to)}
    ) t
    where ${thinned(MAX_CHART_POINTS)}`;
}

/** The recent videos' totals, written with each snapshot (one row per point, no per-video scan). */
function engagementPointsJson(accountId: string, from: Date, to: Date): SQL {
  return sql`select coalesce(json_agg(json_build_array(${epochMs(sql`taken_at`)}, recent_views, recent_likes, recent_comments, recent_shares) order by taken_at), '[]')
    from (
      select s.*, row_number() over (order by taken_at desc) as rn, count(*) over () as n
      from account_stat_snapshots s where ${inRange(accountId, from, to)} and recent_views is not null
    ) t
    where ${thinned(MAX_CHART_POINTS)}`;
}

/**
 * Each video's latest and earliest counts in the range; views gained is their difference, or the
 * full count for a video first seen within the range (it gained all of them there).
 *
 * Driven by the account's own `analytics_videos` rows (a primary-key range: the tens of videos it
 * had in the range, found by their first and last sighting), then two key probes per video into
 * the (account_id, taken_at, video_id) primary key: backwards from the video's last sighting for
 * its latest counts — the snapshot written at `last_seen_at` holds it, so the probe stops within
 * that snapshot's ≤ 20 entries — and forwards from the range's start for its earliest, only for a
 * video already seen before the range. So the work grows with the number of videos, not with the
 * range: 90 days of 6-hourly snapshots are 7,200 video rows, which the earlier form (one ordered
 * array_agg per column over all of them) sorted five times. Both probes end at the video's last
 * sighting (no row of it is later): besides being true, that bound keeps the planner from costing
 * each probe as a scan of the whole range, an estimate that times the number of videos came near
 * PostgreSQL's JIT threshold (`jit_above_cost`), and JIT compiling costs far more than the query. The top ten are the first ten of one
 * ordered array_agg rather than ORDER BY … LIMIT (no sort node for the planner to parallelise).
 */
function topVideosJson(accountId: string, from: Date, to: Date): SQL {
  const fromIso = from.toISOString();
  const toIso = to.toISOString();
  return sql`select coalesce(array_to_json((array_agg(json_build_array(video_id, views, likes, comments, shares, views_gained, title, cover_url, share_url, published_ms)
      order by views_gained desc, views desc, video_id))[1:${TOP_VIDEOS}]), '[]')
    from (
      select v.video_id, coalesce(latest.views, 0) as views, coalesce(latest.likes, 0) as likes, coalesce(latest.comments, 0) as comments, latest.shares,
        coalesce(latest.views, 0) - coalesce(earliest.views, 0) as views_gained,
        v.title, v.cover_url, v.share_url, ${epochMs(sql`v.published_at`)} as published_ms
      from analytics_videos v
      cross join lateral (
        select s.views, s.likes, s.comments, s.shares from video_stat_snapshots s
        where s.account_id = ${accountId} and s.video_id = v.video_id
          and s.taken_at >= ${fromIso}::timestamptz and s.taken_at <= least(v.last_seen_at, ${toIso}::timestamptz)
        order by s.taken_at desc limit 1
      ) latest
      left join lateral (
        select s.views from video_stat_snapshots s
        where v.first_seen_at < ${fromIso}::timestamptz and s.account_id = ${accountId} and s.video_id = v.video_id
          and s.taken_at >= ${fromIso}::timestamptz and s.taken_at <= least(v.last_seen_at, ${toIso}::timestamptz)
        order by s.taken_at limit 1
      ) earliest on true
      where v.account_id = ${accountId} and v.last_seen_at >= ${fromIso}::timestamptz and v.first_seen_at <= ${toIso}::timestamptz
    ) ranked`;
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
