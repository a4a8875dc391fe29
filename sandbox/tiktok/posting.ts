/**
 * Content Posting API control endpoints (https://developers.tiktok.com/doc/content-posting-api-reference-upload-video):
 *   POST /v2/post/publish/creator_info/query/        (video.publish, 20/min)
 *   POST /v2/post/publish/inbox/video/init/          (video.upload, 6/min)  body {source_info}
 *   POST /v2/post/publish/video/init/                (video.publish, 6/min) body {post_info, source_info}
 *   POST /v2/post/publish/status/fetch/              (either scope, 30/min) body {publish_id}
 *   POST /v2/post/publish/cancel/                    (either scope)         body {publish_id}
 * The bytes go to upload_url (see upload.ts).
 */
import { z } from "zod";
import { apiError, authenticateApi, isReply, parseJsonBody, type ApiRequest } from "./api-auth";
import { avatarUrls } from "./data-plane";
import { apiOkReply, newLogId, type Reply } from "./http";
import { finalAt, isPendingShare, publishStatus } from "./publish-status";
import type { Grant, Publish, SandboxState } from "./state";

export const MB = 1024 * 1024;
/** Media transfer guide: chunks 5–64 MB, the last one up to 128 MB, 1–1000 chunks; §6: ≤ 4 GB. */
export const MIN_CHUNK = 5 * MB;
export const MAX_CHUNK = 64 * MB;
export const MAX_LAST_CHUNK = 128 * MB;
export const MAX_CHUNKS = 1000;
export const MAX_VIDEO_SIZE = 4 * 1024 * MB;
export const MAX_TITLE_LENGTH = 2200;
const DAY_MS = 86_400_000;
const MAX_PENDING_SHARES = 5;
const UNAUDITED_MAX_USERS_PER_DAY = 5;

const fileUpload = z.looseObject({
  source: z.literal("FILE_UPLOAD"),
  video_size: z.number().int().positive(),
  chunk_size: z.number().int().positive(),
  total_chunk_count: z.number().int().positive(),
});
const pullFromUrl = z.looseObject({
  source: z.literal("PULL_FROM_URL"),
  video_url: z.string().min(1).max(4096),
});
const sourceInfo = z.discriminatedUnion("source", [fileUpload, pullFromUrl]);
type SourceInfo = z.infer<typeof sourceInfo>;

const postInfo = z.looseObject({
  privacy_level: z.string().min(1),
  title: z.string().optional(),
  disable_comment: z.boolean().optional(),
  disable_duet: z.boolean().optional(),
  disable_stitch: z.boolean().optional(),
  video_cover_timestamp_ms: z.number().int().nonnegative().optional(),
  brand_content_toggle: z.boolean().optional(),
  brand_organic_toggle: z.boolean().optional(),
  is_aigc: z.boolean().optional(),
});

const inboxBody = z.looseObject({ source_info: sourceInfo });
const directBody = z.looseObject({ post_info: postInfo, source_info: sourceInfo });
const publishIdBody = z.looseObject({ publish_id: z.string().min(1).max(200) });

/**
 * The chunk rules of the media transfer guide, checked at init. Returns an error message or
 * undefined. A file under 5 MB is one chunk with chunk_size == video_size;
 * total_chunk_count = floor(video_size / chunk_size); the last chunk takes the remainder.
 */
export function checkChunkPlan(videoSize: number, chunkSize: number, totalChunkCount: number): string | undefined {
  if (videoSize > MAX_VIDEO_SIZE) return "video_size exceeds 4 GB.";
  if (videoSize < MIN_CHUNK) {
    if (chunkSize !== videoSize || totalChunkCount !== 1) return "A video under 5 MB must be uploaded as one chunk: chunk_size = video_size, total_chunk_count = 1.";
    return undefined;
  }
  if (chunkSize < MIN_CHUNK || chunkSize > MAX_CHUNK) return "chunk_size must be between 5 MB and 64 MB.";
  if (chunkSize > videoSize) return "chunk_size must not exceed video_size.";
  const expected = Math.floor(videoSize / chunkSize);
  if (totalChunkCount !== expected) return `total_chunk_count must be floor(video_size / chunk_size) = ${expected}.`;
  if (expected < 1 || expected > MAX_CHUNKS) return "total_chunk_count must be between 1 and 1000.";
  const last = videoSize - (expected - 1) * chunkSize;
  if (last > MAX_LAST_CHUNK) return "The final chunk would exceed 128 MB.";
  return undefined;
}

function userOf(state: SandboxState, grant: Grant) {
  return state.user(grant.openId) ?? state.ensureUser(grant.openId);
}

export function handleCreatorInfo(req: ApiRequest): Reply {
  const { state } = req;
  if (req.method !== "POST") return apiError(state, "invalid_params", "Use POST.", 405);
  const auth = authenticateApi(req, "creator_info", ["video.publish"]);
  if (isReply(auth)) return auth;
  const user = userOf(state, auth.grant);
  return apiOkReply(
    {
      creator_avatar_url: avatarUrls(state, user).normal,
      creator_username: user.username,
      creator_nickname: user.displayName,
      privacy_level_options: [...user.privacyLevelOptions],
      comment_disabled: user.commentDisabled,
      duet_disabled: user.duetDisabled,
      stitch_disabled: user.stitchDisabled,
      max_video_post_duration_sec: user.maxVideoPostDurationSec,
    },
    newLogId(state.now()),
  );
}

function issueMessage(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? `${first.path.join(".") || "body"}: ${first.message}` : "Invalid request body.";
}

/** Shared by both inits: validates source_info and answers url_ownership_unverified. */
function checkSource(state: SandboxState, source: SourceInfo): Reply | undefined {
  if (source.source === "FILE_UPLOAD") {
    const problem = checkChunkPlan(source.video_size, source.chunk_size, source.total_chunk_count);
    return problem === undefined ? undefined : apiError(state, "invalid_params", problem);
  }
  let host: string;
  try {
    const u = new URL(source.video_url);
    if (u.protocol !== "https:") return apiError(state, "invalid_params", "video_url must be an https URL.");
    host = u.hostname.toLowerCase();
  } catch {
    return apiError(state, "invalid_params", "video_url is not a valid URL.");
  }
  const verified = state.options.verifiedDomains.some((d) => host === d || host.endsWith(`.${d}`));
  if (!verified) return apiError(state, "url_ownership_unverified", "The domain of video_url has not been verified for this app.");
  return undefined;
}

function createPublish(state: SandboxState, grant: Grant, kind: Publish["kind"], source: SourceInfo, privacyLevel: string | undefined): Reply {
  const now = state.now();
  const { uploadId, uploadToken } = state.newUploadSecret();
  const p: Publish = {
    publishId: state.newPublishId(),
    kind,
    source: source.source,
    openId: grant.openId,
    clientKey: grant.clientKey,
    privacyLevel,
    createdAt: now,
    uploadId,
    uploadToken,
    uploadExpiresAt: now + state.options.uploadUrlTtlSec * 1000,
    videoSize: source.source === "FILE_UPLOAD" ? source.video_size : 0,
    chunkSize: source.source === "FILE_UPLOAD" ? source.chunk_size : 0,
    totalChunkCount: source.source === "FILE_UPLOAD" ? source.total_chunk_count : 0,
    nextOffset: 0,
    chunksReceived: 0,
    chunkInFlight: false,
    hash: source.source === "FILE_UPLOAD" ? state.newHash() : undefined,
    readyAt: source.source === "PULL_FROM_URL" ? now : undefined,
    failure: undefined,
    finalStatus: undefined,
  };
  state.publishes.set(p.publishId, p);
  if (kind === "inbox") {
    let list = state.inboxByOpenId.get(p.openId);
    if (list === undefined) {
      list = [];
      state.inboxByOpenId.set(p.openId, list);
    }
    list.push(p);
  }
  if (source.source === "PULL_FROM_URL") return apiOkReply({ publish_id: p.publishId }, newLogId(now));
  state.publishesByUpload.set(uploadId, p);
  const uploadUrl = `${state.baseUrl}/upload/${uploadId}?upload_token=${encodeURIComponent(uploadToken)}`;
  return apiOkReply({ publish_id: p.publishId, upload_url: uploadUrl }, newLogId(now));
}

export function handleInboxInit(req: ApiRequest): Reply {
  const { state } = req;
  if (req.method !== "POST") return apiError(state, "invalid_params", "Use POST.", 405);
  const auth = authenticateApi(req, "inbox_init", ["video.upload"]);
  if (isReply(auth)) return auth;
  const parsed = parseJsonBody(req);
  if (!parsed.ok) return parsed.reply;
  const body = inboxBody.safeParse(parsed.value);
  if (!body.success) return apiError(state, "invalid_params", issueMessage(body.error));
  const sourceProblem = checkSource(state, body.data.source_info);
  if (sourceProblem) return sourceProblem;

  // At most 5 pending shares per user per 24 h: the user has not acted on them in the app yet.
  const now = state.now();
  const step = state.options.statusStepMs;
  const recent = (state.inboxByOpenId.get(auth.grant.openId) ?? []).filter((p) => p.createdAt > now - DAY_MS && isPendingShare(p, now, step));
  if (recent.length >= MAX_PENDING_SHARES) {
    return apiError(state, "spam_risk_too_many_pending_share", "The user has too many pending shares in the last 24 hours.");
  }
  return createPublish(state, auth.grant, "inbox", body.data.source_info, undefined);
}

export function handleDirectInit(req: ApiRequest): Reply {
  const { state } = req;
  if (req.method !== "POST") return apiError(state, "invalid_params", "Use POST.", 405);
  const auth = authenticateApi(req, "video_init", ["video.publish"]);
  if (isReply(auth)) return auth;
  const parsed = parseJsonBody(req);
  if (!parsed.ok) return parsed.reply;
  const body = directBody.safeParse(parsed.value);
  if (!body.success) return apiError(state, "invalid_params", issueMessage(body.error));
  const { post_info: post, source_info: source } = body.data;
  if (post.title !== undefined && post.title.length > MAX_TITLE_LENGTH) {
    return apiError(state, "invalid_params", `title must be at most ${MAX_TITLE_LENGTH} UTF-16 code units.`);
  }
  const sourceProblem = checkSource(state, source);
  if (sourceProblem) return sourceProblem;

  const user = userOf(state, auth.grant);
  if (!user.privacyLevelOptions.includes(post.privacy_level)) {
    return apiError(state, "privacy_level_option_mismatch", "privacy_level must be one of the creator's privacy_level_options.");
  }
  const client = state.client(auth.grant.clientKey);
  if (client !== undefined && !client.audited) {
    // Unaudited apps (https://developers.tiktok.com/doc/content-posting-api-reference-upload-video): private accounts only, at most 5 users a day, SELF_ONLY.
    if (!user.isPrivate) {
      return apiError(state, "unaudited_client_can_only_post_to_private_accounts", "Unaudited clients can only post to private accounts.");
    }
    const now = state.now();
    let posters = state.unauditedPosters.get(client.clientKey);
    if (posters === undefined) {
      posters = new Map();
      state.unauditedPosters.set(client.clientKey, posters);
    }
    let active = 0;
    for (const at of posters.values()) if (at > now - DAY_MS) active++;
    const known = (posters.get(user.openId) ?? -Infinity) > now - DAY_MS;
    if (!known && active >= UNAUDITED_MAX_USERS_PER_DAY) {
      return apiError(state, "reached_active_user_cap", "Unaudited clients can post for at most 5 users in 24 hours.");
    }
    if (post.privacy_level !== "SELF_ONLY") {
      return apiError(state, "privacy_level_option_mismatch", "Unaudited clients can only post with privacy_level SELF_ONLY.");
    }
    posters.set(user.openId, now);
  }
  return createPublish(state, auth.grant, "direct", source, post.privacy_level);
}

function ownPublish(state: SandboxState, grant: Grant, publishId: string): Publish | undefined {
  const p = state.publishes.get(publishId);
  return p !== undefined && p.openId === grant.openId && p.clientKey === grant.clientKey ? p : undefined;
}

export function handleStatusFetch(req: ApiRequest): Reply {
  const { state } = req;
  if (req.method !== "POST") return apiError(state, "invalid_params", "Use POST.", 405);
  const auth = authenticateApi(req, "status", ["video.upload", "video.publish"]);
  if (isReply(auth)) return auth;
  const parsed = parseJsonBody(req);
  if (!parsed.ok) return parsed.reply;
  const body = publishIdBody.safeParse(parsed.value);
  if (!body.success) return apiError(state, "invalid_params", "publish_id is required.");
  const p = ownPublish(state, auth.grant, body.data.publish_id);
  if (p === undefined) return apiError(state, "invalid_params", "publish_id is invalid.");
  const view = publishStatus(p, state.now(), state.options.statusStepMs);
  const data: Record<string, unknown> = { status: view.status };
  if (view.failReason !== undefined) data.fail_reason = view.failReason;
  // TikTok's own spelling: "publicaly".
  data.publicaly_available_post_id =
    view.status === "PUBLISH_COMPLETE" && p.privacyLevel === "PUBLIC_TO_EVERYONE" ? [7_300_000_000_000_000 + (p.createdAt % 1_000_000_000)] : [];
  if (p.source === "FILE_UPLOAD") data.uploaded_bytes = p.nextOffset;
  return apiOkReply(data, newLogId(state.now()));
}

export function handleCancel(req: ApiRequest): Reply {
  const { state } = req;
  if (req.method !== "POST") return apiError(state, "invalid_params", "Use POST.", 405);
  const auth = authenticateApi(req, undefined, ["video.upload", "video.publish"]);
  if (isReply(auth)) return auth;
  const parsed = parseJsonBody(req);
  if (!parsed.ok) return parsed.reply;
  const body = publishIdBody.safeParse(parsed.value);
  if (!body.success) return apiError(state, "invalid_params", "publish_id is required.");
  const p = ownPublish(state, auth.grant, body.data.publish_id);
  if (p === undefined) return apiError(state, "invalid_params", "publish_id is invalid.");
  const now = state.now();
  const done = finalAt(p, state.options.statusStepMs);
  if (p.finalStatus === "FAILED" || (done !== undefined && now >= done)) {
    return apiError(state, "invalid_params", "The publish has already finished and can no longer be cancelled.");
  }
  p.failure = { reason: "publish_cancelled", at: now };
  p.finalStatus = "FAILED";
  return apiOkReply({}, newLogId(now));
}

/** Control: make the publish end FAILED with `failReason` (see publish-status.ts). */
export function failPublish(state: SandboxState, publishId: string, failReason: string): boolean {
  const p = state.publishes.get(publishId);
  if (p === undefined) return false;
  if (p.finalStatus === "FAILED") return true; // already failed (e.g. cancelled): keep its reason
  p.failure = { reason: failReason, at: state.now() };
  return true;
}
