import type { OwnedAccount } from "./owned-accounts";
import type { VideoView } from "./video-view";

/** The account's own counts at one moment; null = this network or the grant does not give it. */
export interface AccountCounts {
  followers: number | null;
  following: number | null;
  likes: number | null;
  videos: number | null;
  views: number | null;
}

/** One recent video as a stats snapshot records it: what the top-videos list shows and its counts. */
export interface VideoStat {
  videoId: string;
  title: string;
  coverUrl: string | null;
  shareUrl: string | null;
  publishedAt: Date | null;
  views: number | null;
  likes: number | null;
  comments: number | null;
  /** null where the network has no share count (YouTube). */
  shares: number | null;
}

export interface StatsReading {
  /** null when the grant lacks the account-stats scope (TikTok user.info.stats): see accountStatsGranted. */
  account: AccountCounts | null;
  accountStatsGranted: boolean;
  /** The account's newest videos, as one list call returns them (empty when not granted). */
  videos: VideoStat[];
  /** False when no video list was read (the grant lacks it): no engagement point is recorded. */
  videosListed: boolean;
}

/**
 * A provider's stats capability (issue #13), as the analytics sweeper uses it: the account's
 * counts and its recent videos' counts, read through the provider's own API client (its budget,
 * limits and error mapping). A failure is a `ProviderCallError`, like the recent-videos source.
 */
export interface AccountStatsSource {
  read(account: OwnedAccount): Promise<StatsReading>;
}

/** True when any of `needed` is granted; `undefined` (capability not offered) never is. */
export function grantsAnyScope(granted: readonly string[], needed: readonly string[] | undefined): boolean {
  return needed !== undefined && needed.some((scope) => granted.includes(scope));
}

/** Newest videos a snapshot records: one list call's worth (TikTok's video list allows 20 a page). */
export const SNAPSHOT_VIDEOS = 20;

/** A listed video as a snapshot records it; `sharesCounted: false` where the network has no share count. */
export function videoStatOf(view: VideoView, sharesCounted: boolean): VideoStat {
  return {
    videoId: view.id,
    title: view.title,
    coverUrl: view.coverUrl,
    shareUrl: view.shareUrl,
    publishedAt: view.createdAt ? new Date(view.createdAt) : null,
    views: view.views,
    likes: view.likes,
    comments: view.comments,
    shares: sharesCounted ? view.shares : null,
  };
}
