import type { AccountStatsSource, StatsReading } from "@/lib/connections/account-stats";
import { grantsAnyScope, SNAPSHOT_VIDEOS, videoStatOf } from "@/lib/connections/account-stats";
import type { OwnedAccount } from "@/lib/connections/owned-accounts";
import { ProviderCallError } from "@/lib/connections/recent-videos";
import type { TikTokApiClient } from "./api-client";
import { TIKTOK_ACCOUNT_STATS_SCOPES } from "./api-schemas";
import { TikTokCallError } from "./call-errors";
import { callErrorMessage } from "./call-error-messages";
import { tikTokVideos, tikTokVideoView } from "./video-list";

const VIDEO_LIST_SCOPES = ["video.list"];

/**
 * TikTok's counts for a snapshot: Get User Info with the stats fields (scope user.info.stats)
 * and one page of the video list (scope video.list), both through the API client — so the
 * user's budget, TikTok's per-token limits, the error table and the one-refresh-on-401 rule
 * apply as to every other call. A grant without user.info.stats records the videos only.
 */
export class TikTokStatsSource implements AccountStatsSource {
  constructor(
    private readonly api: Pick<TikTokApiClient, "userStats" | "listVideos">,
    private readonly trustedMediaOrigin?: string,
  ) {}

  async read(account: OwnedAccount): Promise<StatsReading> {
    try {
      let accountStatsGranted = grantsAnyScope(account.row.scopes, TIKTOK_ACCOUNT_STATS_SCOPES);
      let counts: StatsReading["account"] = null;
      if (accountStatsGranted) {
        try {
          const stats = await this.api.userStats(account);
          counts = {
            followers: stats.follower_count ?? null,
            following: stats.following_count ?? null,
            likes: stats.likes_count ?? null,
            videos: stats.video_count ?? null,
            views: null,
          };
        } catch (error) {
          // TikTok says the scope is not (or no longer) granted: degrade, as for a grant without it.
          if (!(error instanceof TikTokCallError && error.code === "scope_missing")) throw error;
          accountStatsGranted = false;
        }
      }
      const videosListed = grantsAnyScope(account.row.scopes, VIDEO_LIST_SCOPES);
      const videos = videosListed
        ? tikTokVideos((await this.api.listVideos(account, { maxCount: SNAPSHOT_VIDEOS })).videos).map((v) => videoStatOf(tikTokVideoView(v, this.trustedMediaOrigin), true))
        : [];
      return { account: counts, accountStatsGranted, videos, videosListed };
    } catch (error) {
      if (error instanceof TikTokCallError) {
        throw new ProviderCallError(error.httpStatus, error.code, callErrorMessage(error), error.details.retryAfterSec);
      }
      throw error;
    }
  }
}
