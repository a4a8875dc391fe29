import { and, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { socialAccounts, type SocialAccountRow } from "@/lib/db/schema";
import type { TokenCipher } from "@/lib/crypto/token-cipher";
import { systemClock, type Clock } from "@/lib/clock";
import { OwnedCache } from "@/lib/connections/account-cache";
import { tokenAad } from "@/lib/connections/account-store";
import type { OwnedAccount } from "@/lib/connections/owned-accounts";
import { SNAPSHOT_VIDEOS, videoStatOf, type AccountStatsSource, type StatsReading } from "@/lib/connections/account-stats";
import { ProviderCallError, type RecentVideosSource, type VideoPageView } from "@/lib/connections/recent-videos";
import type { TokenRefresher } from "@/lib/connections/token-refresher";
import type { UserBudget } from "@/lib/connections/user-budget";
import { ACCOUNT_UNAVAILABLE_MESSAGE } from "@/lib/connections/unavailable-message";
import { markUnreadableIfUnchanged, reportUnreadable } from "@/lib/connections/unreadable-tokens";
import { getLogger } from "@/lib/log/logger";
import type { Logger } from "pino";
import { YouTubeCallError, type AccessTokenSource, type YouTubeApiClient, type YouTubeDataApi } from "./api-client";
import { BUDGET_MESSAGE, youTubeCallMessage } from "./messages";
import { channelProfile, type ChannelProfile, type NoChannel } from "./profile";
import { PLAYLIST_ID, recentVideos } from "./videos";

const PAGE_SIZE = 12;
/** Each page costs 2 quota units of the project's day: a reload within a minute spends none. */
const CACHE_TTL_MS = 60_000;
/** An access token this close to its end is refreshed before the call (Google's last 1 h). */
const ACCESS_TOKEN_MARGIN_MS = 5 * 60_000;

export interface YouTubeVideoSourceDeps {
  db: Database;
  cipher: TokenCipher;
  /** The core's single-flight refresher: one refresh per account, whoever asks. */
  refresher: Pick<TokenRefresher, "refresh">;
  api: YouTubeApiClient;
  /** The scopes that allow listing videos (any one suffices). */
  scopes: readonly string[];
  /**
   * SocialFlow's own per-user budget for YouTube calls (counted apart from TikTok's): each call
   * made for an account spends one of its owner's points before the project's quota ledger is
   * touched (docs/security.md S70). Without it (unit tests), calls are bounded by the ledger only.
   */
  budget?: Pick<UserBudget, "consume">;
  clock?: Clock;
  logger?: Logger;
}

/**
 * Recent videos of a connected channel, for the provider-neutral route and page, and the
 * channel's stats snapshots for analytics (same token handling, same quota ledger). The uploads
 * playlist id was stored at connect (`provider_data.uploadsPlaylistId`: it never changes for a
 * channel, so no channels.list per page); a row without it derives it once per call.
 */
export class YouTubeVideoSource implements RecentVideosSource, AccountStatsSource {
  private readonly cache: OwnedCache<VideoPageView>;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(private readonly deps: YouTubeVideoSourceDeps) {
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? getLogger();
    this.cache = new OwnedCache<VideoPageView>(CACHE_TTL_MS, 1000, () => this.clock.now().getTime());
  }

  async page(account: OwnedAccount, cursor?: string): Promise<VideoPageView> {
    const key = cursor ?? "first";
    const cached = this.cache.get(account, key);
    if (cached) return cached;
    let view: VideoPageView;
    try {
      const fresh = await this.reload(account);
      if (!this.deps.scopes.some((scope) => fresh.row.scopes.includes(scope))) throw new YouTubeCallError("grant_permission");
      const token = this.tokenSource(fresh);
      const api = this.apiFor(fresh);
      const playlist = await this.uploadsPlaylist(fresh, api, token);
      view = playlist
        ? await recentVideos(api, token, playlist, { pageToken: cursor, maxResults: PAGE_SIZE })
        : { videos: [], nextCursor: null };
    } catch (error) {
      throw toProviderCallError(error, this.clock.now());
    }
    this.cache.set(account, key, view);
    return view;
  }

  /**
   * A stats snapshot (issue #13): the channel's counts from channels.list statistics (subscribers
   * null when hidden; YouTube rounds them) and the newest uploads' statistics — 1 + 2 quota units,
   * charged to the ledger like every call. YouTube has no follow or like count per channel and no
   * share count per video: those are null.
   */
  async read(account: OwnedAccount): Promise<StatsReading> {
    try {
      const fresh = await this.reload(account);
      if (!this.deps.scopes.some((scope) => fresh.row.scopes.includes(scope))) throw new YouTubeCallError("grant_permission");
      const token = this.tokenSource(fresh);
      const api = this.apiFor(fresh);
      const profile = ownChannel(fresh, await channelProfile(api, token));
      const page = profile.uploadsPlaylistId
        ? await recentVideos(api, token, profile.uploadsPlaylistId, { maxResults: SNAPSHOT_VIDEOS })
        : { videos: [] };
      return {
        account: { followers: profile.subscriberCount ?? null, following: null, likes: null, videos: profile.videoCount ?? null, views: profile.viewCount ?? null },
        accountStatsGranted: true,
        videos: page.videos.map((video) => videoStatOf(video, false)),
        videosListed: true,
      };
    } catch (error) {
      throw toProviderCallError(error, this.clock.now());
    }
  }

  cachedPagesFor(accountId: string): number {
    return this.cache.sizeFor(accountId);
  }

  /** Undefined: the channel has no uploads playlist (no videos yet). */
  private async uploadsPlaylist(account: OwnedAccount, api: YouTubeDataApi, token: AccessTokenSource): Promise<string | undefined> {
    const stored = account.row.providerData?.uploadsPlaylistId;
    if (typeof stored === "string" && PLAYLIST_ID.test(stored)) return stored;
    return ownChannel(account, await channelProfile(api, token)).uploadsPlaylistId;
  }

  /**
   * The API client as seen by one owner's calls: each call first spends a point of the owner's
   * budget (S70). The project's daily quota is every user's, and a new cursor is a new call, so
   * without this one user could spend the whole day's quota for everyone.
   */
  private apiFor(account: OwnedAccount): YouTubeDataApi {
    const { api, budget } = this.deps;
    if (!budget) return api;
    return {
      mediaOrigin: api.mediaOrigin,
      get: async (method, params, token, schema) => {
        const decision = await budget.consume(account.userId);
        if (!decision.ok) throw new ProviderCallError(429, "budget_exceeded", BUDGET_MESSAGE, decision.retryAfterSec);
        return api.get(method, params, token, schema);
      },
    };
  }

  /** The account's access token, refreshed first when it is about to lapse; one forced refresh on authError. */
  private tokenSource(account: OwnedAccount): AccessTokenSource {
    let row = account.row;
    let refreshFailed = false;
    const refresh = async (): Promise<string> => {
      const outcome = await this.deps.refresher.refresh(row.id, { force: true, unlessRefreshedAfter: row.lastRefreshedAt ?? new Date(0) });
      if (outcome.status === "expired" || outcome.status === "no_refresh_token" || outcome.status === "not_found") {
        throw new YouTubeCallError("reconnect_required");
      }
      if (outcome.status === "unreadable") throw new UnreadableAccount();
      if (outcome.status === "failed" && row.tokenExpiry.getTime() <= this.clock.now().getTime()) throw new YouTubeCallError("youtube_unavailable");
      // Failed for a moment with the stored token still in date: that token is used (S76).
      refreshFailed = outcome.status === "failed";
      row = (await this.reload(account)).row;
      return this.decrypt(row);
    };
    return {
      current: async () => {
        if (row.tokenExpiry.getTime() - this.clock.now().getTime() < ACCESS_TOKEN_MARGIN_MS) return refresh();
        return this.decrypt(row);
      },
      refresh,
      lastRefreshFailed: () => refreshFailed,
    };
  }

  private async decrypt(row: SocialAccountRow): Promise<string> {
    if (row.status === "EXPIRED" || row.status === "REVOKED") throw new YouTubeCallError("reconnect_required");
    if (row.status === "UNREADABLE") throw new UnreadableAccount();
    try {
      return this.deps.cipher.decrypt(row.accessToken, tokenAad(row.id, "access_token"));
    } catch {
      // A key missing here, not Google ending the grant: UNREADABLE and a fixed 503, never a
      // reconnect (as for TikTok, docs/security.md S58).
      const input = { accountId: row.id, field: "access_token" as const, ciphertext: row.accessToken };
      const becameUnreadable = await markUnreadableIfUnchanged(this.deps.db, { ...input, now: this.clock.now() });
      reportUnreadable(this.logger, this.deps.cipher, { ...input, source: "api", becameUnreadable });
      throw new UnreadableAccount();
    }
  }

  private async reload(account: OwnedAccount): Promise<OwnedAccount> {
    const [row] = await this.deps.db
      .select()
      .from(socialAccounts)
      .where(and(eq(socialAccounts.id, account.id), eq(socialAccounts.userId, account.userId)));
    if (!row) throw new ProviderCallError(404, "not_found", "Account not found");
    return account.withRow(row);
  }
}

/**
 * The channel `channels.list?mine=true` answered, when it is the account's own: an answer naming
 * another channel is not this account's, and its counts or uploads are never taken as its (S71).
 */
function ownChannel(account: OwnedAccount, profile: ChannelProfile | NoChannel): ChannelProfile {
  if ("noChannel" in profile) throw new YouTubeCallError("no_channel");
  if (profile.providerUserId !== account.row.platformUserId) throw new YouTubeCallError("youtube_unavailable");
  return profile;
}

/** The stored tokens do not decrypt here: SocialFlow's problem, never a reconnect (docs/security.md). */
class UnreadableAccount extends Error {}

const STATUS: Record<YouTubeCallError["code"], number> = {
  reconnect_required: 409,
  grant_permission: 403,
  quota_exhausted: 429,
  rate_limited: 429,
  no_channel: 409,
  empty: 404,
  youtube_unavailable: 503,
  rejected: 422,
};

function toProviderCallError(error: unknown, now: Date): unknown {
  if (error instanceof ProviderCallError) return error;
  if (error instanceof UnreadableAccount) return new ProviderCallError(503, "account_unavailable", ACCOUNT_UNAVAILABLE_MESSAGE);
  if (!(error instanceof YouTubeCallError)) return error;
  const resetAt = error.details.resetAt;
  const retryAfterSec = resetAt ? Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000)) : error.details.retryAfterSec;
  if (error.code === "rejected" && (error.details.reason === "invalidPageToken" || error.details.reason === "invalidPlaylistId")) {
    return new ProviderCallError(400, "invalid_request", "Invalid account or cursor");
  }
  return new ProviderCallError(STATUS[error.code], error.code, youTubeCallMessage(error), retryAfterSec);
}
