import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { SNAPSHOT_VIDEOS, type StatsReading, type VideoStat } from "@/lib/connections/account-stats";

/**
 * Writes one snapshot of an account (issue #13) in one statement: the account's counts (a row
 * even when the grant gives none, so "last snapshot" is true), each recent video's counts, and
 * the videos' titles and covers once per video (kept current) with their first and last
 * sighting. The three inserts are data-modifying CTEs of one statement, so they land together or
 * not at all without a transaction's BEGIN and COMMIT round trips; array parameters (unnest)
 * keep it one statement whatever the number of videos.
 */
export async function recordSnapshot(db: Database, accountId: string, takenAt: Date, reading: StatsReading): Promise<void> {
  const at = takenAt.toISOString();
  const counts = reading.account;
  // However many the network answered (TikTok's list allows 100 a page, a YouTube playlist page
  // any number): the newest SNAPSHOT_VIDEOS, each once, are recorded and summed (S79, S80).
  const videos = uniqueVideos(reading.videos).slice(0, SNAPSHOT_VIDEOS);
  const recent = recentTotals(reading, videos);
  const accountRow = sql`
      insert into account_stat_snapshots (account_id, taken_at, followers, following, likes, videos, views,
        recent_views, recent_likes, recent_comments, recent_shares)
      values (${accountId}, ${at}, ${counts?.followers ?? null}, ${counts?.following ?? null}, ${counts?.likes ?? null},
        ${counts?.videos ?? null}, ${counts?.views ?? null}, ${recent?.views ?? null}, ${recent?.likes ?? null},
        ${recent?.comments ?? null}, ${recent?.shares ?? null})
      on conflict do nothing`;
  if (videos.length === 0) {
    await db.execute(accountRow);
    return;
  }
  const column = <K extends keyof VideoStat>(key: K) => videos.map((video) => video[key]);
  await db.execute(sql`
    with account_row as (${accountRow}),
    video_details as (
      insert into analytics_videos (account_id, video_id, title, cover_url, share_url, published_at, first_seen_at, last_seen_at)
      select ${accountId}, v.video_id, v.title, v.cover_url, v.share_url, v.published_at, ${at}, ${at}
      from unnest(${sql.param(column("videoId"))}::text[], ${sql.param(column("title"))}::text[],
        ${sql.param(column("coverUrl"))}::text[], ${sql.param(column("shareUrl"))}::text[],
        ${sql.param(videos.map((v) => v.publishedAt?.toISOString() ?? null))}::timestamptz[])
        as v(video_id, title, cover_url, share_url, published_at)
      on conflict (account_id, video_id) do update set
        title = excluded.title, cover_url = excluded.cover_url, share_url = excluded.share_url,
        published_at = excluded.published_at,
        -- The top-videos query finds a video's latest counts at its last sighting: a late write of
        -- an older snapshot (a lease that ran out mid-write) must not move it back.
        first_seen_at = least(analytics_videos.first_seen_at, excluded.first_seen_at),
        last_seen_at = greatest(analytics_videos.last_seen_at, excluded.last_seen_at)
    )
    insert into video_stat_snapshots (account_id, taken_at, video_id, views, likes, comments, shares)
    select ${accountId}, ${at}, v.video_id, v.views, v.likes, v.comments, v.shares
    from unnest(${sql.param(column("videoId"))}::text[], ${sql.param(column("views"))}::bigint[],
      ${sql.param(column("likes"))}::bigint[], ${sql.param(column("comments"))}::bigint[], ${sql.param(column("shares"))}::bigint[])
      as v(video_id, views, likes, comments, shares)
    on conflict do nothing`);
}

/** A network repeating a video in one answer must not fail the snapshot (first one wins). */
function uniqueVideos(videos: readonly VideoStat[]): VideoStat[] {
  const seen = new Set<string>();
  return videos.filter((video) => !seen.has(video.videoId) && seen.add(video.videoId));
}

/**
 * The recorded videos summed (the engagement chart's point), or null when no video list was read.
 * Shares stay null when no video has a share count (YouTube).
 */
function recentTotals(reading: StatsReading, videos: readonly VideoStat[]): { views: number; likes: number; comments: number; shares: number | null } | null {
  if (!reading.videosListed) return null;
  const sum = (pick: (video: VideoStat) => number | null) => videos.reduce((total, video) => total + (pick(video) ?? 0), 0);
  const anyShares = videos.some((video) => video.shares !== null);
  return { views: sum((v) => v.views), likes: sum((v) => v.likes), comments: sum((v) => v.comments), shares: anyShares ? sum((v) => v.shares) : null };
}
