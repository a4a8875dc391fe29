import { z } from "zod";

/** Fields asked of user info (scope user.info.basic; https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info). */
export const USER_FIELDS = "open_id,union_id,avatar_url,display_name";
/** Account counts (scope user.info.stats; https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info). */
export const USER_STATS_FIELDS = "follower_count,following_count,likes_count,video_count";
export const TIKTOK_ACCOUNT_STATS_SCOPES = ["user.info.stats"] as const;
/**
 * Further user-info fields, each asked only when its scope was granted: TikTok answers
 * `scope_permission_missed` to a request naming a field whose scope the user withheld.
 */
export const USER_FIELDS_BY_SCOPE: Readonly<Record<string, string>> = {
  "user.info.profile": "username",
  "user.info.stats": "follower_count",
};
/** Fields asked of the video list (scope video.list). */
export const VIDEO_FIELDS = "id,title,cover_image_url,share_url,create_time,duration,view_count,like_count,comment_count,share_count";

export const userInfoSchema = z.object({
  user: z.object({
    open_id: z.string().min(1).max(256),
    union_id: z.string().max(256).optional(),
    avatar_url: z.string().optional(),
    display_name: z.string().optional(),
    // A malformed extra is dropped, never a failed connect: the account works without it.
    username: z.string().max(256).optional().catch(undefined),
    follower_count: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined),
  }),
});
export type TikTokUser = z.infer<typeof userInfoSchema>["user"];

const count = z.number().int().nonnegative().optional();
export const userStatsSchema = z.object({
  user: z.object({
    follower_count: count,
    following_count: count,
    likes_count: count,
    video_count: count,
  }),
});
export type TikTokUserStats = z.infer<typeof userStatsSchema>["user"];

export const videoSchema = z.object({
  id: z.string().max(64),
  title: z.string().max(4000).optional(),
  cover_image_url: z.string().max(4096).optional(),
  share_url: z.string().max(4096).optional(),
  create_time: z.number().int().optional(),
  duration: z.number().nonnegative().optional(),
  view_count: count,
  like_count: count,
  comment_count: count,
  share_count: count,
});
export type TikTokVideo = z.infer<typeof videoSchema>;

export const videoListSchema = z.object({
  videos: z.array(videoSchema).max(100).default([]),
  cursor: z.number().int().optional(),
  has_more: z.boolean().default(false),
});
export type VideoPage = z.infer<typeof videoListSchema>;

/** The longest creator post duration accepted from creator_info: a day, far below int4 and above any TikTok limit. */
export const MAX_CREATOR_POST_DURATION_S = 86_400;

export const creatorInfoSchema = z.object({
  creator_nickname: z.string().optional(),
  creator_username: z.string().optional(),
  creator_avatar_url: z.string().optional(),
  privacy_level_options: z.array(z.string()).default([]),
  comment_disabled: z.boolean().default(false),
  duet_disabled: z.boolean().default(false),
  stitch_disabled: z.boolean().default(false),
  /**
   * Stored with the upload (an int4 column) and only ever used below SocialFlow's own 10-minute
   * limit. TikTok's limits are counted in minutes; anything past a day is not a duration, and an answer
   * carrying one is malformed (handled like any other) rather than a value the database refuses.
   */
  max_video_post_duration_sec: z.number().int().positive().max(MAX_CREATOR_POST_DURATION_S).optional(),
});
export type CreatorInfo = z.infer<typeof creatorInfoSchema>;

export const publishInitSchema = z
  .object({ publish_id: z.string().min(1).max(256), upload_url: z.string().url().optional() })
  .transform((d) => ({ publishId: d.publish_id, uploadUrl: d.upload_url }));
export type PublishInit = z.infer<typeof publishInitSchema>;

export const PUBLISH_STATUSES = ["PROCESSING_UPLOAD", "PROCESSING_DOWNLOAD", "SEND_TO_USER_INBOX", "PUBLISH_COMPLETE", "FAILED"] as const;
export const publishStatusSchema = z
  .object({
    status: z.enum(PUBLISH_STATUSES),
    fail_reason: z.string().max(128).optional(),
    uploaded_bytes: z.number().int().nonnegative().optional(),
  })
  .transform((d) => ({ status: d.status, failReason: d.fail_reason, uploadedBytes: d.uploaded_bytes }));
export type PublishStatus = z.infer<typeof publishStatusSchema>;

export interface FileUploadSource {
  source: "FILE_UPLOAD";
  video_size: number;
  chunk_size: number;
  total_chunk_count: number;
}

export interface DirectPostInfo {
  privacy_level: string;
  title?: string;
  disable_comment?: boolean;
  disable_duet?: boolean;
  disable_stitch?: boolean;
  video_cover_timestamp_ms?: number;
}
