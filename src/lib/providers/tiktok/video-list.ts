import type { TikTokApiClient } from "@/lib/providers/tiktok/api-client";
import type { TikTokVideo } from "@/lib/providers/tiktok/api-schemas";
import { cleanAvatarUrl, cleanDisplayName } from "@/lib/connections/profile-sanitize";
import { OwnedCache } from "@/lib/connections/account-cache";
import type { OwnedAccount } from "@/lib/connections/owned-accounts";
import { VIDEO_ID, videoTimeIso, type VideoView } from "@/lib/connections/video-view";
import { ProviderCallError, type RecentVideosSource, type VideoPageView } from "@/lib/connections/recent-videos";
import { TikTokCallError } from "./call-errors";
import { callErrorMessage } from "./call-error-messages";

export type { VideoView, VideoPageView };

/** TikTok's video-list cursor is a number (a timestamp in ms): anything else is refused unsent. */
const TIKTOK_CURSOR = /^\d{1,16}$/;

const PAGE_SIZE = 12;
const CACHE_TTL_MS = 60_000;

/**
 * Recent videos with stats for an account, a page at a time, cached briefly per owner, account
 * and cursor so that reloading the page does not spend the user's TikTok budget (issue #6).
 */
export class VideoService implements RecentVideosSource {
  private readonly cache = new OwnedCache<VideoPageView>(CACHE_TTL_MS);

  constructor(
    private readonly api: Pick<TikTokApiClient, "listVideos">,
    private readonly trustedMediaOrigin?: string,
  ) {}

  async page(account: OwnedAccount, cursor?: string): Promise<VideoPageView> {
    if (cursor !== undefined && !TIKTOK_CURSOR.test(cursor)) {
      throw new ProviderCallError(400, "invalid_request", "Invalid account or cursor");
    }
    const key = cursor ?? "first";
    const cached = this.cache.get(account, key);
    if (cached) return cached;
    let page;
    try {
      page = await this.api.listVideos(account, { cursor: cursor === undefined ? undefined : Number(cursor), maxCount: PAGE_SIZE });
    } catch (error) {
      if (error instanceof TikTokCallError) {
        throw new ProviderCallError(error.httpStatus, error.code, callErrorMessage(error), error.details.retryAfterSec);
      }
      throw error;
    }
    const view: VideoPageView = {
      videos: tikTokVideos(page.videos).map((v) => tikTokVideoView(v, this.trustedMediaOrigin)),
      nextCursor: page.has_more && page.cursor !== undefined ? String(page.cursor) : null,
    };
    this.cache.set(account, key, view);
    return view;
  }

  /** Entries held for an account (tests: a disconnect or reconnect leaves none). */
  cachedPagesFor(accountId: string): number {
    return this.cache.sizeFor(accountId);
  }
}

/** The listed videos whose id is one (S82): any other is left out, as YouTube's are. */
export function tikTokVideos(videos: readonly TikTokVideo[]): TikTokVideo[] {
  return videos.filter((video) => VIDEO_ID.test(video.id));
}

/** A TikTok video as SocialFlow shows it: title and URLs cleaned, missing counts as 0. */
export function tikTokVideoView(video: TikTokVideo, trustedMediaOrigin: string | undefined): VideoView {
  return {
    id: video.id,
    title: cleanDisplayName(video.title ?? "", "Untitled video"),
    coverUrl: cleanAvatarUrl(video.cover_image_url, trustedMediaOrigin) ?? null,
    shareUrl: cleanAvatarUrl(video.share_url, trustedMediaOrigin) ?? null,
    createdAt: video.create_time ? videoTimeIso(video.create_time * 1000) : null,
    durationSec: video.duration ?? null,
    views: video.view_count ?? 0,
    likes: video.like_count ?? 0,
    comments: video.comment_count ?? 0,
    shares: video.share_count ?? 0,
  };
}
