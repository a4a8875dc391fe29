/**
 * What the analytics pages read (issue #13). Snapshots are taken by the background sweeper
 * every ANALYTICS_INTERVAL; these are the shapes the query service returns for one owner's
 * accounts. Counts are plain numbers (a year of TikTok or YouTube counts fits a double
 * exactly); null means "this network or the granted scopes do not give it", never "zero".
 */

/** The ranges the account analytics page offers, in days. */
export const ANALYTICS_RANGES = [7, 30, 90] as const;
export type AnalyticsRangeDays = (typeof ANALYTICS_RANGES)[number];

/** One account-level snapshot. */
export interface AccountStatPoint {
  at: Date;
  /** TikTok follower_count; YouTube subscriberCount (rounded by YouTube, null when hidden). */
  followers: number | null;
  /** TikTok following_count; YouTube has none. */
  following: number | null;
  /** TikTok likes_count (likes on all of the account's videos); YouTube has none at channel level. */
  likes: number | null;
  /** TikTok video_count; YouTube videoCount. */
  videos: number | null;
  /** YouTube channel viewCount; TikTok has none at account level. */
  views: number | null;
}

/** The account's recent videos summed at one snapshot time. */
export interface EngagementPoint {
  at: Date;
  views: number;
  likes: number;
  comments: number;
  /** null for YouTube (no share count). */
  shares: number | null;
  /** (likes + comments + shares) ÷ views; null when views is 0. */
  engagementRate: number | null;
}

export interface TopVideo {
  videoId: string;
  title: string;
  coverUrl: string | null;
  shareUrl: string | null;
  publishedAt: Date | null;
  /** Counts at the latest snapshot in the range. */
  views: number;
  likes: number;
  comments: number;
  shares: number | null;
  /** Views gained within the range (latest − earliest snapshot in range; the full count for a video first seen in range). */
  viewsGained: number;
  engagementRate: number | null;
}

export interface AccountAnalytics {
  accountId: string;
  rangeDays: AnalyticsRangeDays;
  /** Oldest first, within the range. */
  accountPoints: AccountStatPoint[];
  /** Oldest first, within the range. */
  engagementPoints: EngagementPoint[];
  /** Best first by views gained in the range; at most 10. */
  topVideos: TopVideo[];
  lastSnapshotAt: Date | null;
  /** False when the account's grant lacks the scope for account stats (TikTok user.info.stats). */
  accountStatsGranted: boolean;
}

/** One account as the dashboard shows it. */
export interface AccountSummary {
  accountId: string;
  latest: AccountStatPoint | null;
  /** latest − the snapshot nearest to 7 days before it; null when either side is missing. */
  change7d: { followers: number | null; likes: number | null; videos: number | null };
  /** Followers over the last 30 days, oldest first, at most 60 points (for a sparkline). */
  followersTrend: { at: Date; followers: number }[];
  accountStatsGranted: boolean;
}
