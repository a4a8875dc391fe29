import type { Platform } from "@/lib/connections/provider";
import { toCsv, type CsvCell } from "./csv";
import type { AccountAnalytics } from "./types";

/**
 * The account analytics page's CSV: one table, a row per snapshot in the range ("snapshot"),
 * then a row per top video ("top_video"), every row with the same columns (RFC 4180 §2.4), a
 * column left empty where it does not apply to the row's section.
 */
export const EXPORT_COLUMNS = [
  "section",
  "at",
  "followers",
  "following",
  "account_likes",
  "video_count",
  "channel_views",
  "views",
  "likes",
  "comments",
  "shares",
  "engagement_rate",
  "views_gained",
  "video_id",
  "title",
  "share_url",
] as const;

export function analyticsCsv(analytics: AccountAnalytics): string {
  const engagementAt = new Map(analytics.engagementPoints.map((p) => [p.at.getTime(), p]));
  const times = [...new Set([...analytics.accountPoints.map((p) => p.at.getTime()), ...engagementAt.keys()])].sort((a, b) => a - b);
  const accountAt = new Map(analytics.accountPoints.map((p) => [p.at.getTime(), p]));
  const rows: CsvCell[][] = times.map((time) => {
    const a = accountAt.get(time);
    const e = engagementAt.get(time);
    return ["snapshot", new Date(time).toISOString(), a?.followers, a?.following, a?.likes, a?.videos, a?.views, e?.views, e?.likes, e?.comments, e?.shares, e?.engagementRate, null, null, null, null];
  });
  for (const v of analytics.topVideos) {
    rows.push(["top_video", v.publishedAt?.toISOString(), null, null, null, null, null, v.views, v.likes, v.comments, v.shares, v.engagementRate, v.viewsGained, v.videoId, v.title, v.shareUrl]);
  }
  return toCsv(EXPORT_COLUMNS, rows);
}

/** A fixed-pattern file name: nothing from the account or the request but the checked range. */
export function exportFileName(platform: Platform, rangeDays: number, now: Date): string {
  return `socialflow-${platform.toLowerCase()}-analytics-${rangeDays}d-${now.toISOString().slice(0, 10)}.csv`;
}
