import type { TikTokApiClient } from "@/lib/providers/tiktok/api-client";
import type { TikTokVideo } from "@/lib/providers/tiktok/api-schemas";
import { cleanAvatarUrl, cleanDisplayName } from "@/lib/connections/profile-sanitize";
import { OwnedCache } from "@/lib/connections/account-cache";
import type { OwnedAccount } from "@/lib/connections/owned-accounts";
import type { VideoView } from "@/lib/connections/video-view";

export type { VideoView };

export interface VideoPageView {
  videos: VideoView[];
  nextCursor: number | null;
}

const PAGE_SIZE = 12;
const CACHE_TTL_MS = 60_000;

/**
 * Recent videos with stats for an account, a page at a time, cached briefly per owner, account
 * and cursor so that reloading the page does not spend the user's TikTok budget (issue #6).
 */
export class VideoService {
  private readonly cache = new OwnedCache<VideoPageView>(CACHE_TTL_MS);

  constructor(
    private readonly api: Pick<TikTokApiClient, "listVideos">,
    private readonly trustedMediaOrigin?: string,
  ) {}

  async page(account: OwnedAccount, cursor?: number): Promise<VideoPageView> {
    const key = String(cursor ?? "first");
    const cached = this.cache.get(account, key);
    if (cached) return cached;
    const page = await this.api.listVideos(account, { cursor, maxCount: PAGE_SIZE });
    const view: VideoPageView = {
      videos: page.videos.map((v) => this.toView(v)),
      nextCursor: page.has_more && page.cursor !== undefined ? page.cursor : null,
    };
    this.cache.set(account, key, view);
    return view;
  }

  /** Entries held for an account (tests: a disconnect or reconnect leaves none). */
  cachedPagesFor(accountId: string): number {
    return this.cache.sizeFor(accountId);
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
