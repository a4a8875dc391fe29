/**
 * Shared types of the local TikTok sandbox.
 *
 * Ground truth for behaviour: TikTok for Developers (https://developers.tiktok.com/doc).
 */
import type { Counters as KitCounters, CoreControl, TransportFault } from "../kit/types";

export type { RequestLogEntry } from "../kit/types";

/** Every scope the sandbox knows (https://developers.tiktok.com/doc/login-kit-web, https://developers.tiktok.com/doc/tiktok-api-v2-video-list, https://developers.tiktok.com/doc/content-posting-api-reference-upload-video). */
export const KNOWN_SCOPES = [
  "user.info.basic",
  "user.info.profile",
  "user.info.stats",
  "video.list",
  "video.upload",
  "video.publish",
] as const;
export type Scope = (typeof KNOWN_SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (KNOWN_SCOPES as readonly string[]).includes(value);
}

/** An app registered at the (sandbox) TikTok developer portal. */
export interface SandboxClient {
  clientKey: string;
  clientSecret: string;
  appName: string;
  /** Compared byte-for-byte with the authorize request's redirect_uri (https://developers.tiktok.com/doc/login-kit-web). */
  redirectUris: string[];
  /** Content Posting API approval ("audited"); unaudited apps get the §5 restrictions. */
  audited: boolean;
  /**
   * Scopes approved for this app in the developer portal (default: all). Requested scopes outside
   * this list are neither shown nor granted — how video.upload / video.publish go missing until
   * the Content Posting API is approved (https://developers.tiktok.com/doc/content-posting-api-reference-upload-video).
   */
  approvedScopes?: Scope[];
}

/** Endpoints that have a TikTok-side per-token rate limit (https://developers.tiktok.com/doc/tiktok-api-v2-video-list, https://developers.tiktok.com/doc/content-posting-api-reference-upload-video). */
export const RATE_LIMITED_ENDPOINTS = [
  "user_info",
  "video_list",
  "creator_info",
  "video_init",
  "inbox_init",
  "status",
] as const;
export type RateLimitedEndpoint = (typeof RATE_LIMITED_ENDPOINTS)[number];
/** Requests per minute per access token, one-minute sliding window. */
export type RateLimits = Record<RateLimitedEndpoint, number>;

/** Endpoints that are counted and can have faults queued. */
export const ENDPOINTS = [
  "token",
  "revoke",
  "user_info",
  "video_list",
  "creator_info",
  "video_init",
  "inbox_init",
  "upload",
  "status",
  "cancel",
] as const;
export type EndpointName = (typeof ENDPOINTS)[number];

export interface SandboxOptions {
  /** Registered apps. Default: one audited client, see DEFAULT_CLIENT. */
  clients: SandboxClient[];
  /** Convenience: replaces the redirect URIs of the first (default) client. */
  redirectUris?: string[];
  /** Access token lifetime (`expires_in`). TikTok's docs say 24 h or 2 h depending on the year: never fixed. */
  accessTokenTtlSec: number;
  /** Refresh token family lifetime (`refresh_expires_in`): 365 d or 180 d in TikTok's docs. */
  refreshTokenTtlSec: number;
  /** Authorization code lifetime. TikTok's codes are short-lived and single-use. */
  codeTtlSec: number;
  /** HTTP status of flat OAuth error bodies; TikTok has been seen answering errors with 400 and with 200. */
  oauthErrorStatus: 400 | 200;
  /** base64url(SHA-256) per RFC 7636 (web), or hex(SHA-256) per TikTok's desktop docs. */
  pkceMode: "base64url" | "hex";
  /** When true, authorize without code_challenge is a misconfiguration error page. */
  pkceRequired: boolean;
  /** Per-endpoint overrides, merged over DEFAULT_RATE_LIMITS. */
  rateLimits: Partial<RateLimits>;
  /** Base clock in ms; the sandbox clock is `now() + advanced offset`. */
  now: () => number;
  /** Sandbox-clock ms between two publish status steps. */
  statusStepMs: number;
  /**
   * When set, user info / creator info avatar URLs become `${avatarBaseUrl}/${openId}.svg`
   * (e.g. the sandbox's own `${url}/avatars`). Default: realistic https CDN URLs that are never fetched.
   * `null` or "" switches back to the default.
   */
  avatarBaseUrl?: string | null;
  /**
   * When set, the video list's `cover_image_url` becomes `${coverBaseUrl}/${openId}/${videoId}.svg`
   * (e.g. the sandbox's own `${url}/covers`). Default: realistic https CDN URLs that are never fetched.
   * `null` or "" switches back to the default.
   */
  coverBaseUrl?: string | null;
  /** Domains (and their subdomains) verified for PULL_FROM_URL; others get url_ownership_unverified. */
  verifiedDomains: string[];
  /** Lifetime of an upload_url (https://developers.tiktok.com/doc/content-posting-api-reference-upload-video: valid 1 h). */
  uploadUrlTtlSec: number;
  /**
   * false (default): a rotated refresh token inherits the family's expiry, so `refresh_expires_in`
   * decreases over time. true: every rotation starts a fresh refreshTokenTtlSec.
   */
  refreshRotationResetsExpiry: boolean;
  /**
   * RFC 9700 §4.14.2 reuse detection: presenting an already-rotated refresh token revokes the whole
   * family. Default false, because https://developers.tiktok.com/doc/oauth-user-access-token-management describes only "one of them fails".
   */
  revokeFamilyOnRefreshReuse: boolean;
  /** Keep a running SHA-256 of each upload (see control.upload()). */
  hashUploads: boolean;
  /**
   * Stats (followers, views…) move this many times faster than the sandbox clock, from the
   * sandbox's start (default 1). `npm run dev` sets it so charts fill within minutes.
   */
  statsTimeScale: number;
}

/** What callers may pass: everything optional. */
export type SandboxOptionsInput = Partial<SandboxOptions>;

/** Options after defaults are applied (what handlers read). */
export interface ResolvedOptions extends Omit<SandboxOptions, "rateLimits" | "redirectUris" | "avatarBaseUrl" | "coverBaseUrl"> {
  rateLimits: RateLimits;
  avatarBaseUrl: string | undefined;
  coverBaseUrl: string | undefined;
}

export type Fault =
  | TransportFault
  | { kind: "json_array" }
  | { kind: "api_error"; code: string; status?: number; message?: string }
  /** The real init answer (publish created) with data.upload_url replaced: a hostile or spoofed answer. */
  | { kind: "upload_url"; url: string };

export type TokenState = "valid" | "rotated" | "revoked" | "expired" | "unknown";

export interface SeedVideo {
  id: string;
  title: string;
  video_description: string;
  cover_image_url: string;
  share_url: string;
  embed_link: string;
  embed_html: string;
  create_time: number;
  duration: number;
  height: number;
  width: number;
  view_count: number;
  like_count: number;
  comment_count: number;
  share_count: number;
}

export interface SeedUser {
  openId: string;
  unionId: string;
  displayName: string;
  username: string;
  /** The avatar_url user info returns with default options (https, never fetched). */
  avatarUrl: string;
  /** Path of the offline-renderable avatar served by the sandbox itself. */
  avatarPath: string;
  bio: string;
  isVerified: boolean;
  followerCount: number;
  followingCount: number;
  likesCount: number;
  /** Private TikTok account (relevant to unaudited clients, https://developers.tiktok.com/doc/content-posting-api-reference-upload-video). */
  isPrivate: boolean;
  privacyLevelOptions: string[];
  maxVideoPostDurationSec: number;
  commentDisabled: boolean;
  duetDisabled: boolean;
  stitchDisabled: boolean;
  /** Background colour of the generated avatar. */
  colour: string;
  videoCount: number;
}

export interface IssuedTokens {
  access_token: string;
  refresh_token: string;
  open_id: string;
  expires_in: number;
  refresh_expires_in: number;
  scope: string;
  token_type: "Bearer";
}

export type Counters = KitCounters<EndpointName>;

export type PublishStatus =
  | "PROCESSING_UPLOAD"
  | "PROCESSING_DOWNLOAD"
  | "SEND_TO_USER_INBOX"
  | "PUBLISH_COMPLETE"
  | "FAILED";

export interface UploadInfo {
  publishId: string;
  kind: "inbox" | "direct";
  source: "FILE_UPLOAD" | "PULL_FROM_URL";
  openId: string;
  clientKey: string;
  status: PublishStatus;
  failReason: string | undefined;
  videoSize: number;
  receivedBytes: number;
  chunksReceived: number;
  totalChunkCount: number;
  /** Hex SHA-256 of the bytes received so far, when hashUploads is on. */
  sha256: string | undefined;
}

export interface SandboxControl extends CoreControl<SandboxOptionsInput, ResolvedOptions, EndpointName, Fault, TokenState> {
  revokeGrant(openId: string): number;
  failUpload(publishId: string, failReason: string): void;
  issueTokensDirectly(input: { openId: string; scopes: readonly string[] | string; clientKey?: string }): IssuedTokens;
  /** The accounts on the consent page: seeded users, then those added by addTestUsers. */
  users(): SeedUser[];
  /** Adds synthetic users (any valid open_id) as test accounts that can be chosen on the consent page. */
  addTestUsers(openIds: readonly string[]): void;
  upload(publishId: string): UploadInfo | undefined;
}
