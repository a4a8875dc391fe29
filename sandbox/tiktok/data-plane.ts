/**
 * Read APIs (https://developers.tiktok.com/doc/tiktok-api-v2-video-list):
 *   GET  /v2/user/info/?fields=…   (GET with a query — a JSON POST is a known error)
 *   POST /v2/video/list/?fields=…  body {cursor?, max_count?}
 */
import { z } from "zod";
import { apiError, authenticateApi, isReply, parseJsonBody, type ApiRequest } from "./api-auth";
import { apiOkReply, newLogId, type Reply } from "./http";
import { defaultAvatarUrl } from "./seed";
import { grownCount, grownFollowers } from "../kit/stats-growth";
import type { SandboxState } from "./state";
import type { Scope, SeedUser, SeedVideo } from "./types";

/** Field → scope that unlocks it (developers.tiktok.com/doc/tiktok-api-v2-get-user-info). */
export const USER_FIELD_SCOPES: Record<string, Scope> = {
  open_id: "user.info.basic",
  union_id: "user.info.basic",
  avatar_url: "user.info.basic",
  avatar_url_100: "user.info.basic",
  avatar_large_url: "user.info.basic",
  display_name: "user.info.basic",
  bio_description: "user.info.profile",
  profile_deep_link: "user.info.profile",
  profile_web_link: "user.info.profile",
  is_verified: "user.info.profile",
  username: "user.info.profile",
  follower_count: "user.info.stats",
  following_count: "user.info.stats",
  likes_count: "user.info.stats",
  video_count: "user.info.stats",
};

export const VIDEO_FIELDS = [
  "id",
  "create_time",
  "cover_image_url",
  "share_url",
  "video_description",
  "duration",
  "height",
  "width",
  "title",
  "embed_html",
  "embed_link",
  "like_count",
  "comment_count",
  "share_count",
  "view_count",
] as const satisfies readonly (keyof SeedVideo)[];

/** TikTok: "Default is 10. Maximum is 20." (developers.tiktok.com/doc/tiktok-api-v2-video-list) */
export const VIDEO_LIST_DEFAULT_MAX_COUNT = 10;

/** Avatar URLs: realistic never-fetched https CDN URLs, or `${avatarBaseUrl}/<openId>.svg`. */
export function avatarUrls(state: SandboxState, user: SeedUser): { small: string; normal: string; large: string } {
  const base = state.options.avatarBaseUrl;
  if (base !== undefined) {
    const u = `${base}/${encodeURIComponent(user.openId)}.svg`;
    return { small: `${u}?size=100`, normal: u, large: `${u}?size=1080` };
  }
  return { small: defaultAvatarUrl(user.openId, "100x100"), normal: user.avatarUrl, large: defaultAvatarUrl(user.openId, "1080x1080") };
}

/** Cover URL: the seeded never-fetched https CDN URL, or `${coverBaseUrl}/<openId>/<videoId>.svg`. */
export function coverUrl(state: SandboxState, user: SeedUser, video: SeedVideo): string {
  const base = state.options.coverBaseUrl;
  if (base === undefined) return video.cover_image_url;
  return `${base}/${encodeURIComponent(user.openId)}/${encodeURIComponent(video.id)}.svg`;
}

/** Parses `fields=a,b,c`; answers invalid_params when missing or naming an unknown field. */
function parseFields(state: SandboxState, query: string, known: ReadonlySet<string>): string[] | Reply {
  const params = new URLSearchParams(query);
  if (params.getAll("fields").length > 1) return apiError(state, "invalid_params", "fields must not be repeated.");
  const raw = params.get("fields");
  if (raw === null || raw.trim() === "") return apiError(state, "invalid_params", "The fields query parameter is required.");
  const fields = [...new Set(raw.split(",").map((f) => f.trim()))];
  const unknown = fields.filter((f) => !known.has(f));
  if (unknown.length > 0) return apiError(state, "invalid_params", `Unknown field(s): ${unknown.join(",")}.`);
  return fields;
}

const USER_FIELD_SET = new Set(Object.keys(USER_FIELD_SCOPES));

export function handleUserInfo(req: ApiRequest): Reply {
  const { state } = req;
  if (req.method !== "GET") return apiError(state, "invalid_params", "Use GET /v2/user/info/?fields=… (fields go in the query).", 405);
  const auth = authenticateApi(req, "user_info", ["user.info.basic"]);
  if (isReply(auth)) return auth;
  const fields = parseFields(state, req.query, USER_FIELD_SET);
  if (isReply(fields)) return fields;
  const missing = fields.filter((f) => {
    const scope = USER_FIELD_SCOPES[f];
    return scope !== undefined && !auth.grant.scopes.has(scope);
  });
  if (missing.length > 0) {
    return apiError(state, "scope_permission_missed", `The fields ${missing.join(",")} need scopes the user did not grant.`);
  }
  const user = state.user(auth.grant.openId) ?? state.ensureUser(auth.grant.openId);
  const avatars = avatarUrls(state, user);
  const all: Record<string, string | number | boolean> = {
    open_id: user.openId,
    union_id: user.unionId,
    avatar_url: avatars.normal,
    avatar_url_100: avatars.small,
    avatar_large_url: avatars.large,
    display_name: user.displayName,
    bio_description: user.bio,
    profile_deep_link: `https://vm.tiktok.com/sandbox/@${user.username}`,
    profile_web_link: `https://www.tiktok.com/@${user.username}`,
    is_verified: user.isVerified,
    username: user.username,
    // Counts move with the sandbox clock, per user (../kit/stats-growth.ts).
    follower_count: grownFollowers(user.followerCount, `followers:${user.openId}`, state.statsDays()),
    following_count: user.followingCount,
    likes_count: grownFollowers(user.likesCount, `likes:${user.openId}`, state.statsDays()),
    video_count: user.videoCount,
  };
  const out: Record<string, string | number | boolean> = {};
  for (const f of fields) {
    const v = all[f];
    if (v !== undefined) out[f] = v;
  }
  return apiOkReply({ user: out }, newLogId(state.now()));
}

const videoListBody = z.looseObject({
  cursor: z.number().int().nonnegative().optional(),
  max_count: z.number().int().min(1).max(20).optional(),
});

const VIDEO_FIELD_SET = new Set<string>(VIDEO_FIELDS);
/** A video's counts grow together with the sandbox clock (one factor per video: likes follow views). */
type GrowingCount = "view_count" | "like_count" | "comment_count" | "share_count";
const GROWING_COUNTS = new Set<string>(["view_count", "like_count", "comment_count", "share_count"] satisfies GrowingCount[]);

/**
 * Pagination: `cursor` is a UTC timestamp in MILLISECONDS; a page holds videos created strictly
 * before it (newest first). The response cursor is the create_time×1000 of the page's last video,
 * so feeding it back yields the next page. cursor 0 or absent = start from the newest.
 */
export function handleVideoList(req: ApiRequest): Reply {
  const { state } = req;
  if (req.method !== "POST") return apiError(state, "invalid_params", "Use POST /v2/video/list/?fields=….", 405);
  const auth = authenticateApi(req, "video_list", ["video.list"]);
  if (isReply(auth)) return auth;
  const fields = parseFields(state, req.query, VIDEO_FIELD_SET);
  if (isReply(fields)) return fields;
  const parsed = parseJsonBody(req);
  if (!parsed.ok) return parsed.reply;
  const body = videoListBody.safeParse(parsed.value);
  if (!body.success) return apiError(state, "invalid_params", "cursor must be a non-negative integer and max_count an integer from 1 to 20.");
  const maxCount = body.data.max_count ?? VIDEO_LIST_DEFAULT_MAX_COUNT;
  const cursor = body.data.cursor ?? 0;

  const user = state.user(auth.grant.openId) ?? state.ensureUser(auth.grant.openId);
  const all = state.videos(user);
  let start = 0;
  if (cursor > 0) {
    while (start < all.length && (all[start]?.create_time ?? 0) * 1000 >= cursor) start++;
  }
  const page = all.slice(start, start + maxCount);
  const last = page[page.length - 1];
  const statsAt = state.statsDays();
  const videos = page.map((v) => {
    const o: Record<string, string | number> = {};
    for (const f of fields) {
      if (f === "cover_image_url") o[f] = coverUrl(state, user, v);
      else if (GROWING_COUNTS.has(f)) o[f] = grownCount(v[f as GrowingCount], v.id, statsAt);
      else o[f] = v[f as (typeof VIDEO_FIELDS)[number]];
    }
    return o;
  });
  return apiOkReply(
    { videos, cursor: last ? last.create_time * 1000 : cursor, has_more: start + page.length < all.length },
    newLogId(state.now()),
  );
}
