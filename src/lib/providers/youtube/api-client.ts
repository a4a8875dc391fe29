import type { z } from "zod";
import { systemClock, type Clock } from "@/lib/clock";
import { ProviderRequestError } from "@/lib/connections/errors";
import { providerRequest, type FetchLike } from "@/lib/connections/provider-http";
import { youTubeError, YouTubeApiError } from "./api-errors";
import type { YouTubeQuotaLedger } from "./quota-ledger";

/** Why a YouTube call did not succeed: stable codes the UI words (see youTubeCallMessage). */
export type YouTubeCallErrorCode =
  /** The access token was refused, after one refresh when a refresh was possible. */
  | "reconnect_required"
  /** A scope the call needs was not granted (granular consent): "Grant permission". */
  | "grant_permission"
  /** The project's daily quota is spent (SocialFlow's ledger or Google's quotaExceeded); see resetAt. */
  | "quota_exhausted"
  /** Google's short-term limit: back off until retryAfterSec. */
  | "rate_limited"
  /** The Google identity has no YouTube channel. */
  | "no_channel"
  /** 404 playlistNotFound: the uploads playlist does not exist yet (no videos). */
  | "empty"
  /** Google unreachable, timing out, 5xx, or an answer that does not parse. */
  | "youtube_unavailable"
  /** Google refused the request itself (see reason). */
  | "rejected";

export class YouTubeCallError extends Error {
  override readonly name = "YouTubeCallError";
  constructor(
    readonly code: YouTubeCallErrorCode,
    readonly details: { resetAt?: Date; retryAfterSec?: number; reason?: string; status?: number } = {},
  ) {
    super(`YouTube call failed: ${code}${details.reason ? ` (${details.reason})` : ""}`);
  }
}

/** The methods SocialFlow calls (each has a cost in the quota ledger); never search.list. */
export type YouTubeMethod = "channels.list" | "playlistItems.list" | "videos.list";
const PATHS: Record<YouTubeMethod, string> = {
  "channels.list": "/youtube/v3/channels",
  "playlistItems.list": "/youtube/v3/playlistItems",
  "videos.list": "/youtube/v3/videos",
};

/**
 * An access token, either as a plain string (an `authError` then ends the call with
 * reconnect_required: the caller refreshes) or as a source that can refresh once — the core
 * gives one backed by its single-flight refresher. `lastRefreshFailed`: its last refresh failed
 * for a moment and handed back the stored token.
 */
export type AccessTokenSource = string | { current(): Promise<string>; refresh(): Promise<string>; lastRefreshFailed?(): boolean };

/** What the channel and video readers need of the client (a per-owner view of it: video-source.ts). */
export type YouTubeDataApi = Pick<YouTubeApiClient, "get" | "mediaOrigin">;

/** After Google's rateLimitExceeded the project waits this long (Google's per-minute windows). */
export const RATE_LIMIT_BACKOFF_MS = 60_000;

export interface YouTubeApiClientDeps {
  apiBaseUrl: string;
  ledger: Pick<YouTubeQuotaLedger, "spend" | "exhaust">;
  clock?: Clock;
  fetch?: FetchLike;
  timeoutMs?: number;
}

/**
 * The YouTube Data API caller: spends the project's quota ledger before anything leaves, maps
 * YouTube's error envelope (https://developers.google.com/youtube/v3/docs/errors) to a call
 * error, answers `authError` with one refresh and one retry — never a loop — and, after a
 * `rateLimitExceeded`, sends nothing for a minute. Google's message (it carries HTML) is never
 * kept; nothing of a token is in any error.
 */
export class YouTubeApiClient {
  private readonly clock: Clock;
  private backoffUntil = 0;

  constructor(private readonly deps: YouTubeApiClientDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  /** Origin whose http:// media URLs may be shown (the sandbox serves its own thumbnails). */
  get mediaOrigin(): string {
    return new URL(this.deps.apiBaseUrl).origin;
  }

  async get<T>(method: YouTubeMethod, params: Record<string, string>, token: AccessTokenSource, schema: z.ZodType<T>): Promise<T> {
    const url = `${this.deps.apiBaseUrl}${PATHS[method]}?${new URLSearchParams(params).toString()}`;
    let accessToken = typeof token === "string" ? token : await token.current();
    for (let attempt = 0; ; attempt++) {
      await this.admit(method);
      try {
        return await this.send(url, accessToken, schema);
      } catch (error) {
        if (!(error instanceof YouTubeApiError)) throw error;
        if (error.outcome === "refresh_and_retry" && attempt === 0 && typeof token !== "string") {
          accessToken = await token.refresh();
          continue;
        }
        // Refused again after a refresh that failed for a moment: whether the grant has ended is
        // not known yet (the account stays ACTIVE), so "unavailable", not "reconnect" (S76).
        if (error.outcome === "refresh_and_retry" && typeof token !== "string" && token.lastRefreshFailed?.()) {
          throw new YouTubeCallError("youtube_unavailable", { reason: error.reason, status: error.status });
        }
        throw await this.map(error);
      }
    }
  }

  /** Local refusals first: a back-off in force, then the day's quota. Nothing is sent on either. */
  private async admit(method: YouTubeMethod): Promise<void> {
    const waitMs = this.backoffUntil - this.clock.now().getTime();
    if (waitMs > 0) throw new YouTubeCallError("rate_limited", { retryAfterSec: Math.ceil(waitMs / 1000) });
    const decision = await this.deps.ledger.spend(method);
    if (!decision.ok) throw new YouTubeCallError("quota_exhausted", { resetAt: decision.resetAt });
  }

  private async send<T>(url: string, accessToken: string, schema: z.ZodType<T>): Promise<T> {
    let response;
    try {
      response = await providerRequest(
        url,
        { method: "GET", headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/json" } },
        { fetch: this.deps.fetch, timeoutMs: this.deps.timeoutMs },
      );
    } catch (error) {
      if (error instanceof ProviderRequestError) throw new YouTubeCallError("youtube_unavailable", { status: error.status });
      throw error;
    }
    if (response.status < 200 || response.status >= 300) throw youTubeError(response.status, response.json);
    const parsed = schema.safeParse(response.json);
    if (!parsed.success) throw new YouTubeCallError("youtube_unavailable", { status: response.status });
    return parsed.data;
  }

  private async map(error: YouTubeApiError): Promise<YouTubeCallError> {
    const details = { reason: error.reason, status: error.status };
    switch (error.outcome) {
      case "refresh_and_retry":
        return new YouTubeCallError("reconnect_required", details);
      case "grant_permission":
        return new YouTubeCallError("grant_permission", details);
      case "quota_exhausted":
        // Google has stopped the project for the day: so does every instance's ledger.
        return new YouTubeCallError("quota_exhausted", { ...details, resetAt: await this.deps.ledger.exhaust() });
      case "rate_limited":
        // A per-user limit (userRateLimitExceeded) is that user's: their caller waits (the
        // sweeper reschedules, the page says when), every other user's calls still go (S83).
        if (error.reason !== "userRateLimitExceeded") this.backoffUntil = this.clock.now().getTime() + RATE_LIMIT_BACKOFF_MS;
        return new YouTubeCallError("rate_limited", { ...details, retryAfterSec: RATE_LIMIT_BACKOFF_MS / 1000 });
      case "no_channel":
        return new YouTubeCallError("no_channel", details);
      case "empty":
        return new YouTubeCallError("empty", details);
      case "transient":
        return new YouTubeCallError("youtube_unavailable", details);
      case "rejected":
        return new YouTubeCallError("rejected", details);
    }
  }
}
