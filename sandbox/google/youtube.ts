/**
 * YouTube Data API v3, the read methods SocialFlow needs:
 *   GET /youtube/v3/channels?part=…&mine=true|id=…|forHandle=…      (channels.list, 1 unit)
 *   GET /youtube/v3/playlistItems?part=…&playlistId=UU…&maxResults&pageToken  (playlistItems.list, 1 unit)
 *   GET /youtube/v3/videos?part=…&id=a,b,c                            (videos.list, 1 unit)
 *
 * Shapes per https://developers.google.com/youtube/v3/docs/channels, …/playlistItems and …/videos:
 * counts are strings; only the requested parts are present; a list with no results has no
 * `items` key at all; an empty uploads playlist is 404 playlistNotFound.
 */
import { grownCount, grownFollowers } from "../kit/stats-growth";
import { createHash } from "node:crypto";
import { authenticateApi, isReply, type ApiRequest } from "./api-auth";
import { knownError, parameterError } from "./api-errors";
import { apiErrorReply, apiReply, type Reply } from "./http";
import { VIDEO_THUMBNAIL_SIZES } from "./images";
import { roundSubscribers, uploadsPlaylistId } from "./seed";
import type { SandboxState } from "./state";
import { YOUTUBE_READ_SCOPES, type SeedAccount, type SeedVideo } from "./types";

function etag(value: unknown): string {
  return createHash("sha1").update(JSON.stringify(value)).digest("base64url").slice(0, 27);
}

/** Reads `part`: required, comma-separated, each one known for the resource. */
function parts(params: URLSearchParams, known: readonly string[]): Set<string> | Reply {
  const raw = params.get("part");
  if (raw === null || raw.trim() === "") {
    const message = "Required parameter: part";
    return apiErrorReply({ code: 400, message, errors: [{ message, domain: "global", reason: "required", location: "part", locationType: "parameter" }] });
  }
  const out = new Set(raw.split(",").map((p) => p.trim()).filter(Boolean));
  for (const p of out) if (!known.includes(p)) return parameterError("unknownPart", `'${p}'`, "part");
  return out;
}

function maxResults(params: URLSearchParams): number | Reply {
  const raw = params.get("maxResults");
  if (raw === null) return 5;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 50) return parameterError("invalidValue", `Invalid value '${raw}'. Values must be within the range: [0, 50]`, "maxResults");
  return n;
}

function notGet(req: ApiRequest): Reply | undefined {
  if (req.method === "GET") return undefined;
  return knownError("forbidden", { message: `Method ${req.method} is not supported by the sandbox for this resource.` });
}

function channelThumbnails(state: SandboxState, channelId: string): Record<string, { url: string; width: number; height: number }> {
  const url = (s: number) => `${state.baseUrl}/yt3/${channelId}=s${s}-c-k-c0x00ffffff-no-rj`;
  return { default: { url: url(88), width: 88, height: 88 }, medium: { url: url(240), width: 240, height: 240 }, high: { url: url(800), width: 800, height: 800 } };
}

function videoThumbnails(state: SandboxState, video: SeedVideo): Record<string, { url: string; width: number; height: number }> {
  const out: Record<string, { url: string; width: number; height: number }> = {};
  for (const [name, [width, height]] of Object.entries(VIDEO_THUMBNAIL_SIZES)) {
    if ((name === "standard" || name === "maxres") && !video.bigThumbnails) continue;
    out[name] = { url: `${state.baseUrl}/vi/${video.id}/${name}.svg`, width, height };
  }
  return out;
}

// --- channels.list ------------------------------------------------------------------------------

const CHANNEL_PARTS = ["id", "snippet", "contentDetails", "statistics", "status"] as const;
const CHANNEL_FILTERS = ["mine", "id", "forHandle", "forUsername", "managedByMe", "categoryId"] as const;

function channelResource(state: SandboxState, account: SeedAccount, wanted: Set<string>): Record<string, unknown> {
  const c = account.channel;
  if (c === undefined) throw new Error("account without channel");
  const item: Record<string, unknown> = { kind: "youtube#channel", etag: "", id: c.id };
  if (wanted.has("snippet")) {
    const snippet: Record<string, unknown> = { title: c.title, description: c.description };
    if (c.customUrl !== undefined) snippet.customUrl = c.customUrl;
    snippet.publishedAt = c.publishedAt;
    snippet.thumbnails = channelThumbnails(state, c.id);
    snippet.localized = { title: c.title, description: c.description };
    if (c.country !== undefined) snippet.country = c.country;
    item.snippet = snippet;
  }
  if (wanted.has("contentDetails")) item.contentDetails = { relatedPlaylists: { likes: "LL", uploads: uploadsPlaylistId(c.id) } };
  if (wanted.has("statistics")) {
    // A hidden subscriber count is left out (clients must not expect it).
    // Counts move with the sandbox clock, per channel (../kit/stats-growth.ts).
    const statsAt = state.statsDays();
    const viewCount = String(grownCount(c.viewCount, `channel:${c.id}`, statsAt));
    const subscribers = grownFollowers(c.subscriberCount, `subscribers:${c.id}`, statsAt);
    item.statistics = c.hiddenSubscriberCount
      ? { viewCount, hiddenSubscriberCount: true, videoCount: String(c.videoCount) }
      : { viewCount, subscriberCount: String(roundSubscribers(subscribers)), hiddenSubscriberCount: false, videoCount: String(c.videoCount) };
  }
  if (wanted.has("status")) item.status = { privacyStatus: "public", isLinked: true, longUploadsStatus: "longUploadsUnspecified", madeForKids: false };
  item.etag = etag(item);
  return item;
}

export function handleChannels(req: ApiRequest): Reply {
  const bad = notGet(req);
  if (bad) return bad;
  const auth = authenticateApi(req, "channels.list", YOUTUBE_READ_SCOPES);
  if (isReply(auth)) return auth;
  const { state } = req;
  const params = new URLSearchParams(req.query);
  const wanted = parts(params, CHANNEL_PARTS);
  if (isReply(wanted)) return wanted;
  const filters = CHANNEL_FILTERS.filter((f) => params.has(f));
  if (filters.length === 0) {
    return parameterError("missingRequiredParameter", `No filter selected. Expected one of: ${CHANNEL_FILTERS.join(", ")}`, "parameters");
  }
  if (filters.length > 1) return parameterError("incompatibleParameters", `Incompatible parameters specified in the request: ${filters.join(", ")}`, "parameters");
  const per = maxResults(params);
  if (isReply(per)) return per;

  let found: SeedAccount[] = [];
  const filter = filters[0];
  if (filter === "mine") {
    // mine=true is the channel of the identity picked in the chooser, or nothing.
    const me = state.account(auth.family.accountId);
    if (params.get("mine") === "true" && me?.channel !== undefined) found = [me];
  } else if (filter === "id") {
    const ids = (params.get("id") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    for (const id of ids) {
      const a = state.findChannel((x) => x.channel?.id === id);
      if (a !== undefined) found.push(a);
    }
  } else if (filter === "forHandle") {
    const raw = (params.get("forHandle") ?? "").toLowerCase();
    const handle = raw.startsWith("@") ? raw : `@${raw}`;
    const a = state.findChannel((x) => x.channel?.customUrl?.toLowerCase() === handle);
    if (a !== undefined) found = [a];
  }
  const body: Record<string, unknown> = { kind: "youtube#channelListResponse", etag: "", pageInfo: { totalResults: found.length, resultsPerPage: per } };
  // No results: no `items` key at all (not an empty array).
  if (found.length > 0) body.items = found.slice(0, per).map((a) => channelResource(state, a, wanted));
  body.etag = etag(body);
  return apiReply(200, body);
}

// --- playlistItems.list -------------------------------------------------------------------------

const PLAYLIST_ITEM_PARTS = ["id", "snippet", "contentDetails", "status"] as const;

/** Opaque page tokens shaped like Google's (base64 of a small protobuf holding "PT:<offset>"). */
export function pageToken(offset: number): string {
  const inner = Buffer.from(`PT:C${offset.toString(36).toUpperCase()}`);
  return Buffer.concat([Buffer.from([0x10, 0x00, 0x1a, inner.length]), inner]).toString("base64url");
}

function readPageToken(token: string): number | undefined {
  const b = Buffer.from(token, "base64url");
  if (b.length < 8 || b[0] !== 0x10 || b[1] !== 0x00 || b[2] !== 0x1a || b[3] !== b.length - 4) return undefined;
  const m = /^PT:C([0-9A-Z]{1,6})$/.exec(b.subarray(4).toString("latin1"));
  if (!m?.[1] || pageToken(parseInt(m[1], 36)) !== token) return undefined;
  return parseInt(m[1], 36);
}

/** Private uploads show only to their owner. */
function visibleVideos(state: SandboxState, owner: SeedAccount, viewerId: string): SeedVideo[] {
  const all = state.videos(owner);
  return owner.id === viewerId ? all : all.filter((v) => v.privacyStatus !== "private");
}

export function handlePlaylistItems(req: ApiRequest): Reply {
  const bad = notGet(req);
  if (bad) return bad;
  const auth = authenticateApi(req, "playlistItems.list", YOUTUBE_READ_SCOPES);
  if (isReply(auth)) return auth;
  const { state } = req;
  const params = new URLSearchParams(req.query);
  const wanted = parts(params, PLAYLIST_ITEM_PARTS);
  if (isReply(wanted)) return wanted;
  const playlistId = params.get("playlistId");
  if (!playlistId) return parameterError("missingRequiredParameter", "No filter selected. Expected one of: id, playlistId", "parameters");
  const per = maxResults(params);
  if (isReply(per)) return per;
  let offset = 0;
  const rawToken = params.get("pageToken");
  if (rawToken) {
    const o = readPageToken(rawToken);
    if (o === undefined) return parameterError("invalidPageToken", "The request specifies an invalid page token.", "pageToken");
    offset = o;
  }
  const owner = state.findChannel((a) => a.channel !== undefined && uploadsPlaylistId(a.channel.id) === playlistId);
  const videos = owner === undefined ? [] : visibleVideos(state, owner, auth.family.accountId);
  // An unknown playlist, and the uploads playlist of a channel that never uploaded, are both 404.
  if (owner?.channel === undefined || owner.channel.videoCount === 0) {
    return knownError("playlistNotFound", { location: "playlistId", locationType: "parameter" });
  }
  const channel = owner.channel;
  const page = videos.slice(offset, offset + per);
  const items = page.map((v, i) => {
    const item: Record<string, unknown> = {
      kind: "youtube#playlistItem",
      etag: "",
      id: Buffer.from(`${playlistId}.${v.id}`).toString("base64"),
    };
    if (wanted.has("snippet")) {
      item.snippet = {
        publishedAt: v.addedAt,
        channelId: channel.id,
        title: v.title,
        description: v.description,
        thumbnails: videoThumbnails(state, v),
        channelTitle: channel.title,
        playlistId,
        position: offset + i,
        resourceId: { kind: "youtube#video", videoId: v.id },
        videoOwnerChannelTitle: channel.title,
        videoOwnerChannelId: channel.id,
      };
    }
    if (wanted.has("contentDetails")) {
      // No videoPublishedAt for private (or scheduled) videos.
      item.contentDetails = v.publishedAt === undefined ? { videoId: v.id } : { videoId: v.id, videoPublishedAt: v.publishedAt };
    }
    if (wanted.has("status")) item.status = { privacyStatus: v.privacyStatus };
    item.etag = etag(item);
    return item;
  });
  const body: Record<string, unknown> = { kind: "youtube#playlistItemListResponse", etag: "" };
  if (offset + per < videos.length) body.nextPageToken = pageToken(offset + per);
  if (offset > 0) body.prevPageToken = pageToken(Math.max(0, offset - per));
  body.items = items;
  body.pageInfo = { totalResults: videos.length, resultsPerPage: per };
  body.etag = etag(body);
  return apiReply(200, body);
}

// --- videos.list --------------------------------------------------------------------------------

const VIDEO_PARTS = ["id", "snippet", "contentDetails", "statistics", "status"] as const;

function videoResource(state: SandboxState, owner: SeedAccount, v: SeedVideo, wanted: Set<string>): Record<string, unknown> {
  const channel = owner.channel;
  const item: Record<string, unknown> = { kind: "youtube#video", etag: "", id: v.id };
  if (wanted.has("snippet")) {
    item.snippet = {
      publishedAt: v.publishedAt ?? v.addedAt,
      channelId: channel?.id,
      title: v.title,
      description: v.description,
      thumbnails: videoThumbnails(state, v),
      channelTitle: channel?.title,
      tags: v.tags,
      categoryId: "22",
      liveBroadcastContent: "none",
      localized: { title: v.title, description: v.description },
    };
  }
  if (wanted.has("contentDetails")) {
    item.contentDetails = { duration: v.duration, dimension: "2d", definition: v.definition, caption: "false", licensedContent: false, contentRating: {}, projection: "rectangular" };
  }
  if (wanted.has("status")) {
    item.status = { uploadStatus: "processed", privacyStatus: v.privacyStatus, license: "youtube", embeddable: true, publicStatsViewable: true, madeForKids: false };
  }
  if (wanted.has("statistics")) {
    // Strings; likeCount absent when likes are hidden, commentCount when comments are off.
    // Growing with the sandbox clock, one factor per video (likes and comments follow views).
    const statsAt = state.statsDays();
    const stats: Record<string, string> = { viewCount: String(grownCount(v.viewCount, v.id, statsAt)) };
    if (!v.likesHidden) stats.likeCount = String(grownCount(v.likeCount, v.id, statsAt));
    stats.favoriteCount = "0";
    if (!v.commentsDisabled) stats.commentCount = String(grownCount(v.commentCount, v.id, statsAt));
    item.statistics = stats;
  }
  item.etag = etag(item);
  return item;
}

export function handleVideos(req: ApiRequest): Reply {
  const bad = notGet(req);
  if (bad) return bad;
  const auth = authenticateApi(req, "videos.list", YOUTUBE_READ_SCOPES);
  if (isReply(auth)) return auth;
  const { state } = req;
  const params = new URLSearchParams(req.query);
  const wanted = parts(params, VIDEO_PARTS);
  if (isReply(wanted)) return wanted;
  const rawIds = params.get("id");
  if (rawIds === null) return parameterError("missingRequiredParameter", "No filter selected. Expected one of: chart, id, myRating", "parameters");
  const ids = rawIds.split(",").map((s) => s.trim()).filter(Boolean);
  if (ids.length > 50) return parameterError("invalidValue", "The request specifies more than 50 video ids.", "id");
  const items: Record<string, unknown>[] = [];
  for (const id of ids) {
    // Unknown ids, and private videos of someone else, are silently left out.
    const hit = state.videoById(id);
    if (hit === undefined || (hit.video.privacyStatus === "private" && hit.owner.id !== auth.family.accountId)) continue;
    items.push(videoResource(state, hit.owner, hit.video, wanted));
  }
  const body: Record<string, unknown> = { kind: "youtube#videoListResponse", etag: "", items, pageInfo: { totalResults: items.length, resultsPerPage: items.length } };
  body.etag = etag(body);
  return apiReply(200, body);
}
