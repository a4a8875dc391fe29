import { z } from "zod";
import type { Logger } from "pino";
import type { Database } from "@/lib/db/client";
import type { SocialAccountRow } from "@/lib/db/schema";
import type { TokenCipher } from "@/lib/crypto/token-cipher";
import { systemClock, type Clock } from "@/lib/clock";
import { getLogger, safeError } from "@/lib/log/logger";
import { tokenAad } from "@/lib/connections/account-store";
import { providerRequest, type FetchLike } from "@/lib/connections/provider-http";
import { ProviderRequestError } from "@/lib/connections/errors";
import type { TokenRefresher } from "@/lib/connections/token-refresher";
import { markUnreadableIfUnchanged, reportUnreadable } from "@/lib/connections/unreadable-tokens";
import { socialAccounts } from "@/lib/db/schema";
import { and, eq } from "drizzle-orm";
import type { OwnedAccount } from "@/lib/connections/owned-accounts";
import { OwnedCache } from "@/lib/connections/account-cache";
import { mergeProviderData } from "@/lib/connections/provider-data";
import { privateAccountFrom } from "./privacy";
import { parseTikTokEnvelope } from "./api-response";
import { TikTokApiError } from "./api-errors";
import { TikTokCallError } from "./call-errors";
import type { UserBudget } from "@/lib/connections/user-budget";
import { TokenEndpointLimits } from "./token-limits";
import {
  creatorInfoSchema,
  publishInitSchema,
  publishStatusSchema,
  TIKTOK_ACCOUNT_STATS_SCOPES,
  USER_STATS_FIELDS,
  userStatsSchema,
  videoListSchema,
  VIDEO_FIELDS,
  type TikTokUserStats,
  type CreatorInfo,
  type DirectPostInfo,
  type FileUploadSource,
  type PublishInit,
  type PublishStatus,
  type VideoPage,
} from "./api-schemas";

/** Refresh before a call when the access token has less than this left. */
export const ACCESS_TOKEN_MARGIN_MS = 5 * 60_000;
/**
 * A row the caller read this recently is used as it is, not read again. What can have changed
 * in that second is what could already change between a re-read and TikTok's answer (the
 * limits and the budget are consumed in between): a refresh elsewhere replaced the token — a
 * stale token answered access_token_invalid gets the one forced refresh, which
 * `unlessRefreshedAfter` turns into "use theirs", and one retry (S36); a stale expiry within
 * the margin takes the same guarded path; a disconnect revoked the token at TikTok, whose
 * refusal then ends in not_found or reconnect_required. Older rows are re-read as before.
 */
export const ROW_REUSE_MS = 1_000;
/**
 * After TikTok's own 429, this account+endpoint waits at least this long: TikTok's limits are
 * per minute (https://developers.tiktok.com/doc/tiktok-api-v2-rate-limit).
 */
const TIKTOK_429_BACKOFF_MS = 60_000;
/**
 * creator_info answers are reused for this long (per owner and account): TikTok allows 20 a
 * minute per token, and the upload page, its re-renders and the upload start all need it.
 */
export const CREATOR_INFO_TTL_MS = 60_000;

export interface TikTokApiClientDeps {
  db: Database;
  cipher: TokenCipher;
  refresher: Pick<TokenRefresher, "refresh">;
  budget: Pick<UserBudget, "consume">;
  /** TikTok's own per-token limits (shared through Redis in the app); in memory by default. */
  tokenLimits?: Pick<TokenEndpointLimits, "consume" | "refund">;
  apiBaseUrl: string;
  clock?: Clock;
  logger?: Logger;
  fetch?: FetchLike;
  timeoutMs?: number;
  /** How recent a caller's row must be to be used without a re-read (ROW_REUSE_MS). */
  rowReuseMs?: number;
}

type Endpoint = { name: string; method: "GET" | "POST"; path: string; scopes: string[] };

const ENDPOINTS = {
  userStats: { name: "user_info_stats", method: "GET", path: `/v2/user/info/?fields=${USER_STATS_FIELDS}`, scopes: [...TIKTOK_ACCOUNT_STATS_SCOPES] },
  videoList: { name: "video_list", method: "POST", path: `/v2/video/list/?fields=${VIDEO_FIELDS}`, scopes: ["video.list"] },
  creatorInfo: { name: "creator_info", method: "POST", path: "/v2/post/publish/creator_info/query/", scopes: ["video.publish"] },
  inboxInit: { name: "inbox_init", method: "POST", path: "/v2/post/publish/inbox/video/init/", scopes: ["video.upload"] },
  directInit: { name: "video_init", method: "POST", path: "/v2/post/publish/video/init/", scopes: ["video.publish"] },
  status: { name: "status", method: "POST", path: "/v2/post/publish/status/fetch/", scopes: ["video.upload", "video.publish"] },
} satisfies Record<string, Endpoint>;

/**
 * SocialFlow's TikTok data-plane client (issue #5): a valid access token for every call
 * (refreshed within a margin, single-flight), the user's own budget spent before anything
 * leaves, TikTok's errors mapped by one table, `access_token_invalid` answered by one forced
 * refresh and one retry — never a loop (docs/security.md S35, S36).
 */
export class TikTokApiClient {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly backoffUntil = new Map<string, number>();
  private readonly tokenLimits: Pick<TokenEndpointLimits, "consume" | "refund">;
  private readonly creatorInfo: OwnedCache<CreatorInfo>;

  constructor(private readonly deps: TikTokApiClientDeps) {
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? getLogger();
    this.tokenLimits = deps.tokenLimits ?? new TokenEndpointLimits();
    this.creatorInfo = new OwnedCache<CreatorInfo>(CREATOR_INFO_TTL_MS, 1000, () => this.clock.now().getTime());
  }

  /** One page of the user's videos, newest first; `cursor` from the previous page. */
  async listVideos(account: OwnedAccount, page: { cursor?: number; maxCount?: number } = {}): Promise<VideoPage> {
    const body = { max_count: page.maxCount ?? 20, ...(page.cursor !== undefined ? { cursor: page.cursor } : {}) };
    return this.call(account, ENDPOINTS.videoList, body, videoListSchema);
  }

  /** The account's follower, following, likes and video counts (scope user.info.stats; TikTok: Get User Info). */
  async userStats(account: OwnedAccount): Promise<TikTokUserStats> {
    return (await this.call(account, ENDPOINTS.userStats, undefined, userStatsSchema)).user;
  }

  /**
   * The creator's posting options, reused for a minute (CREATOR_INFO_TTL_MS): rendering the
   * upload page — a GET any site can trigger with a top-level navigation — spends nothing while
   * a fresh answer is at hand. Cleared on disconnect and reconnect like every account cache.
   */
  async queryCreatorInfo(account: OwnedAccount): Promise<CreatorInfo> {
    const cached = this.creatorInfo.get(account, "creator_info");
    if (cached) return cached;
    const info = await this.call(account, ENDPOINTS.creatorInfo, {}, creatorInfoSchema);
    this.creatorInfo.set(account, "creator_info", info);
    const privateAccount = privateAccountFrom(info);
    // The card's "Private account": best effort, never in the way of the upload page.
    if (privateAccount !== undefined) {
      await mergeProviderData(this.deps.db, account, { privateAccount }).catch((error: unknown) =>
        this.logger.warn({ event: "tiktok.profile_fact_not_saved", accountId: account.id, err: safeError(error) }),
      );
    }
    return info;
  }

  /** Upload to the creator's inbox (scope video.upload): they finish posting in the TikTok app. */
  async initInboxUpload(account: OwnedAccount, source: FileUploadSource): Promise<PublishInit> {
    return this.call(account, ENDPOINTS.inboxInit, { source_info: source }, publishInitSchema);
  }

  /** Direct post (scope video.publish) with the creator's chosen privacy level. */
  async initDirectPost(account: OwnedAccount, postInfo: DirectPostInfo, source: FileUploadSource): Promise<PublishInit> {
    return this.call(account, ENDPOINTS.directInit, { post_info: postInfo, source_info: source }, publishInitSchema);
  }

  async fetchPublishStatus(account: OwnedAccount, publishId: string): Promise<PublishStatus> {
    return this.call(account, ENDPOINTS.status, { publish_id: publishId }, publishStatusSchema);
  }

  /**
   * The access token to send, refreshed first when it lapses or TikTok refused it.
   * `refreshFailed`: that refresh failed for a moment (TikTok or the network), so the token is
   * the one already stored — sent again in case TikTok's refusal was the fluke (S76).
   */
  private async accessTokenFor(account: OwnedAccount, forceAfterFailureOf?: SocialAccountRow): Promise<{ accessToken: string; refreshFailed: boolean }> {
    let row = account.row;
    let refreshFailed = false;
    if (row.status === "UNREADABLE") throw new TikTokCallError("account_unavailable");
    const lapsing = row.tokenExpiry.getTime() - this.clock.now().getTime() < ACCESS_TOKEN_MARGIN_MS;
    if (forceAfterFailureOf || lapsing) {
      const outcome = await this.deps.refresher.refresh(row.id, {
        force: true,
        // Someone else refreshed since this token was read: use theirs.
        unlessRefreshedAfter: (forceAfterFailureOf ?? row).lastRefreshedAt ?? new Date(0),
      });
      if (outcome.status === "expired" || outcome.status === "no_refresh_token") throw new TikTokCallError("reconnect_required");
      if (outcome.status === "not_found") throw new TikTokCallError("not_found");
      if (outcome.status === "unreadable") throw new TikTokCallError("account_unavailable");
      if (outcome.status === "failed" && row.tokenExpiry.getTime() <= this.clock.now().getTime()) {
        throw new TikTokCallError("tiktok_unavailable");
      }
      refreshFailed = outcome.status === "failed";
      row = (await this.reload(account)).row;
    }
    if (row.status === "EXPIRED" || row.status === "REVOKED") throw new TikTokCallError("reconnect_required");
    if (row.status === "UNREADABLE") throw new TikTokCallError("account_unavailable");
    try {
      return { accessToken: this.deps.cipher.decrypt(row.accessToken, tokenAad(row.id, "access_token")), refreshFailed };
    } catch {
      throw await this.unreadable(row);
    }
  }

  /** A key missing here, not TikTok ending the grant: UNREADABLE and a fixed 503, never reconnect (S58). */
  private async unreadable(row: SocialAccountRow): Promise<TikTokCallError> {
    const input = { accountId: row.id, field: "access_token" as const, ciphertext: row.accessToken };
    const becameUnreadable = await markUnreadableIfUnchanged(this.deps.db, { ...input, now: this.clock.now() });
    reportUnreadable(this.logger, this.deps.cipher, { ...input, source: "api", becameUnreadable });
    return new TikTokCallError("account_unavailable");
  }

  private async call<T>(owned: OwnedAccount, endpoint: Endpoint, body: unknown, schema: z.ZodType<T>): Promise<T> {
    const fresh = await this.current(owned);
    const account = fresh.row;
    if (!endpoint.scopes.some((scope) => account.scopes.includes(scope))) {
      throw new TikTokCallError("scope_missing");
    }
    if (account.status === "UNREADABLE") throw new TikTokCallError("account_unavailable");
    const backoffKey = `${account.id}:${endpoint.name}`;
    const waitMs = (this.backoffUntil.get(backoffKey) ?? 0) - this.clock.now().getTime();
    if (waitMs > 0) throw new TikTokCallError("rate_limited", { retryAfterSec: Math.ceil(waitMs / 1000) });

    // TikTok's own per-token minute first (any instance, any caller of this account), then the
    // user's budget; a call the budget refuses gives its per-token point back.
    const limit = await this.tokenLimits.consume(account.id, endpoint.name);
    if (!limit.ok) throw new TikTokCallError("rate_limited", { retryAfterSec: limit.retryAfterSec });
    const budget = await this.deps.budget.consume(fresh.userId);
    if (!budget.ok) {
      await this.tokenLimits.refund(account.id, endpoint.name);
      throw new TikTokCallError("budget_exceeded", { retryAfterSec: budget.retryAfterSec });
    }

    let { accessToken } = await this.accessTokenFor(fresh);
    let retriedAfterFailedRefresh = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await providerRequest(
          `${this.deps.apiBaseUrl}${endpoint.path}`,
          {
            method: endpoint.method,
            headers: {
              Authorization: `Bearer ${accessToken}`,
              ...(body === undefined ? {} : { "Content-Type": "application/json; charset=UTF-8" }),
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          },
          { fetch: this.deps.fetch, timeoutMs: this.deps.timeoutMs },
        );
        return parseTikTokEnvelope(response, schema);
      } catch (error) {
        if (error instanceof TikTokApiError) {
          if (error.outcome === "refresh_and_retry" && attempt === 0) {
            // One forced refresh and one retry (S36); a second access_token_invalid ends it.
            ({ accessToken, refreshFailed: retriedAfterFailedRefresh } = await this.accessTokenFor(fresh, account));
            continue;
          }
          // Refused again, but the refresh in between failed for a moment: whether the grant has
          // ended is not known yet (the account stays ACTIVE), so not "reconnect" (S76).
          if (error.outcome === "refresh_and_retry" && retriedAfterFailedRefresh) {
            throw new TikTokCallError("tiktok_unavailable", { tiktokCode: error.code, status: error.status });
          }
          throw this.mapApiError(error, backoffKey, account.id);
        }
        if (error instanceof ProviderRequestError) throw new TikTokCallError("tiktok_unavailable", { status: error.status });
        throw error;
      }
    }
  }

  private mapApiError(error: TikTokApiError, backoffKey: string, accountId: string): TikTokCallError {
    this.logger.warn({ event: "tiktok.api_error", accountId, code: error.code, status: error.status });
    switch (error.outcome) {
      case "rate_limited":
        this.backoffUntil.set(backoffKey, this.clock.now().getTime() + TIKTOK_429_BACKOFF_MS);
        return new TikTokCallError("rate_limited", { retryAfterSec: TIKTOK_429_BACKOFF_MS / 1000, tiktokCode: error.code });
      case "reconnect":
        return new TikTokCallError(error.code === "scope_permission_missed" ? "scope_missing" : "reconnect_required", { tiktokCode: error.code });
      case "refresh_and_retry":
        return new TikTokCallError("reconnect_required", { tiktokCode: error.code });
      case "transient":
        return new TikTokCallError("tiktok_unavailable", { tiktokCode: error.code, status: error.status });
      case "rejected":
        return new TikTokCallError("rejected", { tiktokCode: error.code, status: error.status });
    }
  }

  /**
   * The row to call with: the caller's own when it was read less than ROW_REUSE_MS ago (a route
   * or a sweeper that has just looked the account up), else re-read — an upload holding its
   * account through a long transfer must not call with the token it started with.
   */
  private current(owned: OwnedAccount): Promise<OwnedAccount> | OwnedAccount {
    return performance.now() - owned.readAtMs < (this.deps.rowReuseMs ?? ROW_REUSE_MS) ? owned : this.reload(owned);
  }

  /** The account's current row, still its owner's (a disconnect in between → not_found). */
  private async reload(account: OwnedAccount): Promise<OwnedAccount> {
    const [row] = await this.deps.db
      .select()
      .from(socialAccounts)
      .where(and(eq(socialAccounts.id, account.id), eq(socialAccounts.userId, account.userId)));
    if (!row) throw new TikTokCallError("not_found");
    return account.withRow(row);
  }
}
