import type { AccountRef, TikTokApiClient } from "@/lib/tiktok/api-client";
import type { TikTokVideo } from "@/lib/tiktok/api-schemas";
import { cleanAvatarUrl, cleanDisplayName } from "@/lib/oauth/profile-sanitize";
import { TtlCache } from "./video-cache";

export interface VideoView {
  id: string;
  title: string;
  coverUrl: string | null;
  shareUrl: string | null;
  createdAt: string | null;
  durationSec: number | null;
  views: number;
  likes: number;
  comments: number;
  shares: number;
}

export interface VideoPageView {
  videos: VideoView[];
  nextCursor: number | null;
}

const PAGE_SIZE = 12;
const CACHE_TTL_MS = 60_000;

/** Recent videos with stats for an account, a page at a time, cached briefly per cursor. */
export class VideoService {
  private readonly cache = new TtlCache<VideoPageView>(CACHE_TTL_MS);

  constructor(
    private readonly api: Pick<TikTokApiClient, "listVideos">,
    private readonly trustedMediaOrigin?: string,
  ) {}

  async page(ref: AccountRef, cursor?: number): Promise<VideoPageView> {
    const key = `${ref.accountId}:${cursor ?? "first"}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const page = await this.api.listVideos(ref, { cursor, maxCount: PAGE_SIZE });
    const view: VideoPageView = {
      videos: page.videos.map((v) => this.toView(v)),
      nextCursor: page.has_more && page.cursor !== undefined ? page.cursor : null,
    };
    this.cache.set(key, view);
    return view;
  }

  forget(accountId: string): void {
    this.cache.deletePrefix(`${accountId}:`);
  }

  private toView(video: TikTokVideo): VideoView {
    return {
      id: video.id,
      title: cleanDisplayName(video.title ?? "", "Untitled video"),
      coverUrl: cleanAvatarUrl(video.cover_image_url, this.trustedMediaOrigin) ?? null,
      shareUrl: cleanAvatarUrl(video.share_url, this.trustedMediaOrigin) ?? null,
      createdAt: video.create_time ? new Date(video.create_time * 1000).toISOString() : null,
      durationSec: video.duration ?? null,
      views: video.view_count ?? 0,
      likes: video.like_count ?? 0,
      comments: video.comment_count ?? 0,
      shares: video.share_count ?? 0,
    };
  }
}
