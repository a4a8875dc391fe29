import { pgTable, text, timestamp, integer, uniqueIndex, index, pgEnum, jsonb, bigint, primaryKey } from "drizzle-orm/pg-core";
import { user } from "./auth-schema";

export * from "./auth-schema";

/**
 * The networks SocialFlow connects, one value per provider (src/lib/providers/registry.ts).
 * Used by both `social_accounts.platform` and `oauth_states.provider`.
 */
export const platformEnum = pgEnum("platform", ["TIKTOK", "YOUTUBE"]);
/**
 * UNREADABLE: the stored tokens cannot be decrypted with the keys this deployment has (a key id
 * dropped by mistake). An operator problem, not the user's: the tokens are kept and the sweeper
 * tries again, so putting the key back recovers the account without a reconnect.
 */
export const accountStatusEnum = pgEnum("account_status", ["ACTIVE", "EXPIRED", "REVOKED", "ERROR", "UNREADABLE"]);

/**
 * One row per authorization request in flight (RFC 6749 §10.12 CSRF, RFC 7636 PKCE).
 * Consumed exactly once with an atomic `DELETE … RETURNING` (docs/security.md S6).
 */
export const oauthStates = pgTable(
  "oauth_states",
  {
    id: text("id").primaryKey(),
    /** SHA-256 of the state value: a database dump cannot be replayed as a callback. */
    stateHash: text("state_hash").notNull().unique(),
    /** The provider the flow was started for: a callback of another provider never consumes it (S12). */
    provider: platformEnum("provider").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    /** PKCE code_verifier, encrypted (AAD binds it to this row). */
    codeVerifier: text("code_verifier").notNull(),
    /** SHA-256 of the browser-binding cookie value (S8). */
    browserBindingHash: text("browser_binding_hash").notNull(),
    returnTo: text("return_to").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("oauth_states_expires_at_idx").on(t.expiresAt)],
);

/** Provider-specific profile facts, flat and small (see `social_accounts.provider_data`). */
export type ProviderData = Record<string, string | number | boolean | null>;

export const socialAccounts = pgTable(
  "social_accounts",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    platform: platformEnum("platform").notNull(),
    /** TikTok's open_id: unique per app and user. */
    platformUserId: text("platform_user_id").notNull(),
    unionId: text("union_id"),
    displayName: text("display_name").notNull(),
    avatarUrl: text("avatar_url"),
    /** Granted scopes (what TikTok said, not what we asked for). */
    scopes: text("scopes").array().notNull(),
    accessToken: text("access_token").notNull(),
    refreshToken: text("refresh_token"),
    tokenExpiry: timestamp("token_expiry", { withTimezone: true }).notNull(),
    refreshTokenExpiry: timestamp("refresh_token_expiry", { withTimezone: true }),
    status: accountStatusEnum("status").notNull().default("ACTIVE"),
    statusReason: text("status_reason"),
    lastRefreshedAt: timestamp("last_refreshed_at", { withTimezone: true }),
    refreshFailures: integer("refresh_failures").notNull().default(0),
    nextRefreshAt: timestamp("next_refresh_at", { withTimezone: true }),
    /**
     * Refresh lease: who is refreshing this account and until when. A lease instead of a
     * transaction held open across TikTok's round trip, so no database connection waits on
     * the network, and a crashed holder's lease simply lapses.
     */
    refreshLeaseId: text("refresh_lease_id"),
    refreshLeaseUntil: timestamp("refresh_lease_until", { withTimezone: true }),
    /**
     * Set by the sweeper when the refresh token nears its end (TikTok cannot extend it): the
     * user is asked to reconnect in time. A reconnect stores a new grant and clears it.
     */
    reconnectRequestedAt: timestamp("reconnect_requested_at", { withTimezone: true }),
    /**
     * When a user's "Refresh" last claimed a token call at the provider. Claimed with one
     * conditional UPDATE, so every request and every instance shares one per-account minute.
     */
    manualRefreshAt: timestamp("manual_refresh_at", { withTimezone: true }),
    /**
     * What the provider's profile call said that only that network has (a YouTube channel's
     * handle, subscriber count and uploads playlist), written at connect and reconnect. Never a
     * token or secret: the view model reads it and the provider's data plane uses it.
     */
    providerData: jsonb("provider_data").$type<ProviderData>(),
    /**
     * Analytics (issue #13): when the account's next stats snapshot is due, and the snapshot
     * lease — the analytics sweeper's own, never the refresh lease, so taking a snapshot never
     * stands in a token refresh's way (src/lib/analytics/claim-snapshots.ts).
     */
    analyticsDueAt: timestamp("analytics_due_at", { withTimezone: true }).notNull().defaultNow(),
    analyticsLeaseId: text("analytics_lease_id"),
    analyticsLeaseUntil: timestamp("analytics_lease_until", { withTimezone: true }),
    /**
     * Disconnect claim: the one disconnect that revokes and deletes this row, claimed with one
     * conditional UPDATE, so concurrent disconnects (tabs, instances) revoke once and record one
     * `disconnected`. The row stays while its claimant revokes (revoke before delete, S37); a
     * crashed claimant's claim lapses and the next disconnect takes it (src/lib/connections/account-service.ts).
     */
    disconnectClaimId: text("disconnect_claim_id"),
    disconnectClaimUntil: timestamp("disconnect_claim_until", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("social_accounts_platform_user_uq").on(t.platform, t.platformUserId),
    index("social_accounts_user_idx").on(t.userId),
    index("social_accounts_next_refresh_idx").on(t.nextRefreshAt),
    index("social_accounts_analytics_due_idx").on(t.analyticsDueAt),
  ],
);

/** Audit trail per account: connected, refreshed, refresh_failed, expired, reconnected, disconnected… */
export const accountEvents = pgTable(
  "account_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    /** Not a foreign key: events outlive a disconnected account (kept per user). */
    accountId: text("account_id").notNull(),
    userId: text("user_id").notNull(),
    kind: text("kind").notNull(),
    detail: jsonb("detail").$type<Record<string, string | number | boolean | null>>(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("account_events_account_idx").on(t.accountId, t.createdAt)],
);

export type SocialAccountRow = typeof socialAccounts.$inferSelect;
export type OAuthStateRow = typeof oauthStates.$inferSelect;

/** Issue #6: a video on its way to TikTok (Content Posting API, https://developers.tiktok.com/doc/content-posting-api-reference-upload-video). */
export const videoUploadModeEnum = pgEnum("video_upload_mode", ["inbox", "direct"]);
/**
 * Our own steps first (the file coming in, being checked, refused, its chunks going out), then
 * TikTok's publish statuses word for word, so a row says where TikTok is with it.
 */
export const videoUploadStateEnum = pgEnum("video_upload_state", [
  "AWAITING_FILE",
  "RECEIVING",
  "VALIDATING",
  "REJECTED",
  "UPLOADING",
  "PROCESSING_UPLOAD",
  "PROCESSING_DOWNLOAD",
  "SEND_TO_USER_INBOX",
  "PUBLISH_COMPLETE",
  "FAILED",
]);

export const videoUploads = pgTable(
  "video_uploads",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => socialAccounts.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    /** TikTok's publish_id, once init answered. */
    publishId: text("publish_id"),
    mode: videoUploadModeEnum("mode").notNull(),
    state: videoUploadStateEnum("state").notNull(),
    /** Bytes TikTok has acknowledged (updated per chunk) — the page's "sent to TikTok" progress. */
    bytesSent: bigint("bytes_sent", { mode: "number" }).notNull().default(0),
    totalBytes: bigint("total_bytes", { mode: "number" }).notNull(),
    /** video/mp4 | video/quicktime | video/webm, from the content (not the file name). */
    contentType: text("content_type"),
    /** TikTok's fail_reason when the status came back FAILED. */
    failReason: text("fail_reason"),
    /** Our own outcome code: a validation refusal, a posting error, a chunk failure. */
    errorCode: text("error_code"),
    /** Validation problems and warnings (fixed-template messages), retry-after seconds. */
    detail: jsonb("detail").$type<Record<string, unknown>>(),
    /** Direct post only: the post_info chosen by the user (privacy level, title, toggles). */
    postInfo: jsonb("post_info").$type<Record<string, unknown>>(),
    /** creator_info's max_video_post_duration_sec at the time the upload was started. */
    maxDurationSec: integer("max_duration_sec"),
    /** Status polling: when this row is next due (claimed with FOR UPDATE SKIP LOCKED). */
    nextPollAt: timestamp("next_poll_at", { withTimezone: true }),
    pollAttempts: integer("poll_attempts").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (t) => [
    index("video_uploads_account_idx").on(t.accountId, t.createdAt),
    index("video_uploads_poll_idx").on(t.state, t.nextPollAt),
  ],
);

export type VideoUploadRow = typeof videoUploads.$inferSelect;

/**
 * Analytics (issue #13): the networks give only current counts, so the sweeper records them
 * every ANALYTICS_INTERVAL. Keyed by (account, time) so one account's range is one index range
 * scan; a BRIN index on the time alone serves the retention delete (rows arrive in time order,
 * so BRIN stays a few pages for billions of rows). Sizes: docs/analytics.md.
 * Counts are bigint (a viral account outgrows int4's 2.1 billion views); null = not given.
 */
export const accountStatSnapshots = pgTable(
  "account_stat_snapshots",
  {
    accountId: text("account_id")
      .notNull()
      .references(() => socialAccounts.id, { onDelete: "cascade" }),
    takenAt: timestamp("taken_at", { withTimezone: true }).notNull(),
    followers: bigint("followers", { mode: "number" }),
    following: bigint("following", { mode: "number" }),
    likes: bigint("likes", { mode: "number" }),
    videos: bigint("videos", { mode: "number" }),
    views: bigint("views", { mode: "number" }),
    /**
     * The recent videos' counts summed at this snapshot (the engagement chart), written with the
     * per-video rows: the chart reads one row per snapshot instead of twenty. Null when no video
     * list was read (scope missing); shares null where the network has none (YouTube).
     */
    recentViews: bigint("recent_views", { mode: "number" }),
    recentLikes: bigint("recent_likes", { mode: "number" }),
    recentComments: bigint("recent_comments", { mode: "number" }),
    recentShares: bigint("recent_shares", { mode: "number" }),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.takenAt] }), index("account_stat_snapshots_taken_brin").using("brin", t.takenAt)],
);

/**
 * What the top-videos list shows of a video, once per video (not per snapshot): updated when a
 * snapshot sees it again. Cascades with the account.
 */
export const analyticsVideos = pgTable(
  "analytics_videos",
  {
    accountId: text("account_id")
      .notNull()
      .references(() => socialAccounts.id, { onDelete: "cascade" }),
    /** The network's video id. */
    videoId: text("video_id").notNull(),
    title: text("title").notNull(),
    coverUrl: text("cover_url"),
    shareUrl: text("share_url"),
    publishedAt: timestamp("published_at", { withTimezone: true }),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.videoId] }), index("analytics_videos_last_seen_idx").on(t.lastSeenAt)],
);

/**
 * One row per recent video per snapshot: only the videos one list call returns (TikTok's
 * newest 20, YouTube's newest 20 uploads), which bounds the table (docs/analytics.md).
 * Keyed (account, time, video): an account's range is one index range scan.
 */
export const videoStatSnapshots = pgTable(
  "video_stat_snapshots",
  {
    accountId: text("account_id")
      .notNull()
      .references(() => socialAccounts.id, { onDelete: "cascade" }),
    takenAt: timestamp("taken_at", { withTimezone: true }).notNull(),
    videoId: text("video_id").notNull(),
    views: bigint("views", { mode: "number" }),
    likes: bigint("likes", { mode: "number" }),
    comments: bigint("comments", { mode: "number" }),
    /** YouTube gives no share count: null there. */
    shares: bigint("shares", { mode: "number" }),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.takenAt, t.videoId] }), index("video_stat_snapshots_taken_brin").using("brin", t.takenAt)],
);

export type AccountStatSnapshotRow = typeof accountStatSnapshots.$inferSelect;
export type VideoStatSnapshotRow = typeof videoStatSnapshots.$inferSelect;
