/**
 * Shared types of the local Google/YouTube sandbox.
 *
 * Behaviour follows Google's public documentation:
 * - OAuth 2.0 for web server apps: https://developers.google.com/identity/protocols/oauth2/web-server
 * - Scopes: https://developers.google.com/identity/protocols/oauth2/scopes#youtube
 * - YouTube Data API v3: https://developers.google.com/youtube/v3/docs
 */
import type { Counters as KitCounters, CoreControl, TransportFault } from "../kit/types";

export type { RequestLogEntry } from "../kit/types";

const G = "https://www.googleapis.com/auth/";

/** Sign-in scopes: consented as one block, never with their own checkbox (granular consent). */
export const SIGN_IN_SCOPES = ["openid", `${G}userinfo.email`, `${G}userinfo.profile`] as const;

/**
 * Every scope the sandbox knows, canonical form (the short `email`/`profile` of a request are read
 * as the userinfo URLs: see scopes.ts); anything else is `invalid_scope` on Google's page.
 */
export const KNOWN_SCOPES = [
  ...SIGN_IN_SCOPES,
  `${G}youtube`,
  `${G}youtube.readonly`,
  `${G}youtube.upload`,
  `${G}youtube.force-ssl`,
  `${G}youtubepartner`,
  `${G}yt-analytics.readonly`,
] as const;
export type Scope = (typeof KNOWN_SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (KNOWN_SCOPES as readonly string[]).includes(value);
}

export function isSignInScope(value: string): boolean {
  return (SIGN_IN_SCOPES as readonly string[]).includes(value);
}

/** Scopes that let a token read channels, playlist items and videos (each method's "Authorization" section). */
export const YOUTUBE_READ_SCOPES: readonly Scope[] = [`${G}youtube.readonly`, `${G}youtube`, `${G}youtube.force-ssl`, `${G}youtubepartner`];

/** An OAuth client ("Web application") of a Google Cloud project. */
export interface SandboxClient {
  clientId: string;
  clientSecret: string;
  /** Shown on the consent screen. */
  appName: string;
  /** Compared byte-for-byte with the request's redirect_uri (scheme, host, port, path, trailing slash). */
  redirectUris: string[];
  /** Quota is per Cloud project: clients with the same projectId share one ledger. */
  projectId: string;
  /**
   * "testing": an External app in Testing; its grants end 7 days after consent unless only sign-in
   * scopes were asked (https://developers.google.com/identity/protocols/oauth2#expiration).
   * "production": no such expiry.
   */
  publishingStatus: "production" | "testing";
  /**
   * With publishingStatus "testing": the emails allowed to consent (the project's test users).
   * Anyone else gets Google's "Error 403: access_denied" page. Unset: every listed account may.
   */
  testUsers?: string[];
}

/** Endpoints that are counted and can have faults queued. */
export const ENDPOINTS = ["token", "revoke", "channels", "playlist_items", "videos"] as const;
export type EndpointName = (typeof ENDPOINTS)[number];

/** YouTube Data API methods with their quota cost in units (https://developers.google.com/youtube/v3/determine_quota_cost). */
export const QUOTA_COSTS = {
  "channels.list": 1,
  "playlistItems.list": 1,
  "videos.list": 1,
} as const;
export type YouTubeMethod = keyof typeof QUOTA_COSTS;

export interface SandboxOptions {
  /** Registered OAuth clients. Default: one, see DEFAULT_CLIENT. */
  clients: SandboxClient[];
  /** Convenience: replaces the redirect URIs of the first (default) client. */
  redirectUris?: string[];
  /** `expires_in` of access tokens. Google answers 3599 (an hour less a second); never hard-code 3600. */
  accessTokenTtlSec: number;
  /** Authorization code lifetime (Google does not document it; minutes). */
  codeTtlSec: number;
  /** Live refresh tokens per Google account per client; minting one more invalidates the oldest. */
  refreshTokenCap: number;
  /** A refresh token unused this long stops working (Google: six months). */
  refreshIdleTtlSec: number;
  /**
   * Time-based access: the user granted access for this many seconds instead of "ongoing access"
   * (https://developers.google.com/identity/protocols/oauth2/web-server#time-based-access). Token
   * answers then carry `refresh_token_expires_in` (the seconds left) and the grant ends at that
   * time. 0 (default): ongoing access, no `refresh_token_expires_in`. Applies to consents given
   * while it is set.
   */
  timeLimitedAccessSec: number;
  /** Daily quota (units) of each project's general bucket. Google's default: 10,000. */
  dailyQuota: number;
  /**
   * Requests per minute per project before 403/429 `rateLimitExceeded` (0: no such limit).
   * Google enforces per-minute limits besides the daily quota; their size is per project.
   */
  perMinuteLimit: number;
  /** HTTP status of a per-minute `rateLimitExceeded`: 403 (classic) or 429 (RESOURCE_EXHAUSTED). */
  rateLimitStatus: 403 | 429;
  /** Add `iss=https://accounts.google.com` to the success redirect (RFC 9207), as Google does for some users. */
  issParameter: boolean;
  /**
   * Stats (followers, views…) move this many times faster than the sandbox clock, from the
   * sandbox's start (default 1). `npm run dev` sets it so charts fill within minutes.
   */
  statsTimeScale: number;
  /** Base clock in ms; the sandbox clock is `now() + advanced offset`. */
  now: () => number;
}

export type SandboxOptionsInput = Partial<SandboxOptions>;

export type ResolvedOptions = Omit<SandboxOptions, "redirectUris">;

export type Fault =
  | TransportFault
  /** Google's API error envelope with this `reason` (YouTube endpoints); status defaults per reason. */
  | { kind: "api_error"; reason: string; status?: number; message?: string; domain?: string };

export type TokenState = "valid" | "revoked" | "expired" | "evicted" | "unknown";

export interface SeedChannel {
  /** `UC` + 22 characters. */
  id: string;
  title: string;
  description: string;
  /** The channel handle (`@…`); absent for channels without one. */
  customUrl: string | undefined;
  publishedAt: string;
  country: string | undefined;
  /** Exact count; the API reports it rounded down to three significant figures. */
  subscriberCount: number;
  hiddenSubscriberCount: boolean;
  viewCount: number;
  /** Number of uploads (0: the uploads playlist answers 404 playlistNotFound). */
  videoCount: number;
  /** A Brand Account channel (its own Google identity, managed by a person). */
  brand: boolean;
  colour: string;
}

/** A Google identity the account chooser offers. */
export interface SeedAccount {
  /** Sandbox handle used by the control API, e.g. "gsb-ada-0001". */
  id: string;
  /** Google's stable account id (`sub`): 21 digits. */
  sub: string;
  email: string;
  name: string;
  /** Workspace domain (the `hd` claim and callback parameter); absent for consumer accounts. */
  hd: string | undefined;
  /** For a Brand Account: the id of the person account that manages it. */
  managedBy: string | undefined;
  /** The YouTube channel of this identity; undefined = no channel (channels.list has no `items`). */
  channel: SeedChannel | undefined;
  colour: string;
}

export interface SeedVideo {
  id: string;
  title: string;
  description: string;
  /** When it was added to the uploads playlist (ISO). */
  addedAt: string;
  /** Publish time (ISO); undefined for private or scheduled videos. */
  publishedAt: string | undefined;
  privacyStatus: "public" | "unlisted" | "private";
  /** ISO-8601 duration, e.g. PT4M13S. */
  duration: string;
  definition: "hd" | "sd";
  viewCount: number;
  likeCount: number;
  commentCount: number;
  /** Likes hidden by the owner: statistics omits likeCount. */
  likesHidden: boolean;
  /** Comments disabled: statistics omits commentCount. */
  commentsDisabled: boolean;
  tags: string[];
  /** Whether YouTube made `standard` and `maxres` thumbnails (not every video has them). */
  bigThumbnails: boolean;
}

/** A token endpoint success body, as Google sends it. */
export interface IssuedTokens {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  /** Only for time-based access: seconds until the grant ends. */
  refresh_token_expires_in?: number;
  scope: string;
  token_type: "Bearer";
  id_token?: string;
}

export type Counters = KitCounters<EndpointName>;

export interface QuotaView {
  projectId: string;
  /** The Pacific-time day the ledger counts (YYYY-MM-DD). */
  day: string;
  used: number;
  limit: number;
  /** Sandbox-clock ms of the next reset (midnight America/Los_Angeles). */
  resetsAt: number;
}

export interface SandboxControl extends CoreControl<SandboxOptionsInput, ResolvedOptions, EndpointName, Fault, TokenState> {
  /** Tokens for an account without the browser (load tests). `offline` (default true) adds a refresh token. */
  issueTokensDirectly(input: { accountId: string; scopes: readonly string[] | string; clientId?: string; offline?: boolean }): IssuedTokens;
  /** The user removes the app at myaccount.google.com/permissions: every token of that client for the account dies. */
  revokeGrant(accountId: string, clientId?: string): number;
  /** Scopes the account has granted the client (the consent Google remembers), or [] */
  grantedScopes(accountId: string, clientId?: string): string[];
  /** The accounts in the chooser: seeded ones, then those added by addTestUsers. */
  users(): SeedAccount[];
  /** Adds synthetic accounts (each with a channel of 25 uploads) to the chooser. Idempotent. */
  addTestUsers(accountIds: readonly string[]): void;
  quota(projectId?: string): QuotaView;
  /** Sets the units used today (e.g. to the limit, to test quotaExceeded). */
  setQuotaUsed(units: number, projectId?: string): void;
}
