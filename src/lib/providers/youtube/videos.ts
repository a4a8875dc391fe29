import { cleanAvatarUrl, cleanDisplayName } from "@/lib/connections/profile-sanitize";
import { VIDEO_ID, videoTimeIso, type VideoView } from "@/lib/connections/video-view";
import { YouTubeCallError, type AccessTokenSource, type YouTubeDataApi } from "./api-client";
import { playlistItemListSchema, videoListSchema, type YouTubeVideo } from "./api-schemas";
import { isoDurationSeconds } from "./iso-duration";

export interface YouTubeVideoPage {
  videos: VideoView[];
  /** Opaque: YouTube's nextPageToken, null on the last page. */
  nextCursor: string | null;
}

/** YouTube's page tokens are short base64url-like strings; anything else is refused unsent. */
const PAGE_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;
/** A playlist id as YouTube makes them (an uploads playlist is `UU` + the channel id's tail). */
export const PLAYLIST_ID = /^[A-Za-z0-9_-]{2,64}$/;
export const DEFAULT_PAGE_SIZE = 12;

/**
 * Recent uploads with their statistics, newest first: a page of the uploads playlist
 * (playlistItems.list), then those videos' statistics and durations in one videos.list — 2 quota
 * units a page. Never search.list: it has its own tiny daily bucket and lags
 * (https://developers.google.com/youtube/v3/determine_quota_cost). A channel with no uploads
 * has no uploads playlist yet: 404 playlistNotFound is an empty page.
 */
export async function recentVideos(
  api: YouTubeDataApi,
  token: AccessTokenSource,
  uploadsPlaylistId: string,
  page: { pageToken?: string; maxResults?: number } = {},
): Promise<YouTubeVideoPage> {
  if (!PLAYLIST_ID.test(uploadsPlaylistId)) throw new YouTubeCallError("rejected", { reason: "invalidPlaylistId" });
  if (page.pageToken !== undefined && !PAGE_TOKEN.test(page.pageToken)) throw new YouTubeCallError("rejected", { reason: "invalidPageToken" });
  const maxResults = Math.min(50, Math.max(1, Math.trunc(page.maxResults ?? DEFAULT_PAGE_SIZE)));
  let items;
  try {
    items = await api.get(
      "playlistItems.list",
      { part: "contentDetails", playlistId: uploadsPlaylistId, maxResults: String(maxResults), ...(page.pageToken ? { pageToken: page.pageToken } : {}) },
      token,
      playlistItemListSchema,
    );
  } catch (error) {
    if (error instanceof YouTubeCallError && error.code === "empty") return { videos: [], nextCursor: null };
    throw error;
  }
  const nextCursor = items.nextPageToken && PAGE_TOKEN.test(items.nextPageToken) ? items.nextPageToken : null;
  // At most the page asked for, and only YouTube video ids: the ids are joined into videos.list's
  // `id`, so one "id" holding commas would ask for videos the playlist never named (S80).
  const ids = [...new Set(items.items.map((i) => i.contentDetails.videoId))].filter((id) => VIDEO_ID.test(id)).slice(0, maxResults);
  if (ids.length === 0) return { videos: [], nextCursor };
  const videos = await api.get("videos.list", { part: "snippet,contentDetails,statistics", id: ids.join(","), maxResults: "50" }, token, videoListSchema);
  const byId = new Map(videos.items.map((v) => [v.id, v]));
  const publishedAt = new Map(items.items.map((i) => [i.contentDetails.videoId, i.contentDetails.videoPublishedAt]));
  // Playlist order (newest first); a video videos.list left out (deleted, private to others) is skipped.
  const views = ids.flatMap((id) => {
    const video = byId.get(id);
    return video ? [toView(video, publishedAt.get(id), api.mediaOrigin)] : [];
  });
  return { videos: views, nextCursor };
}

function toView(video: YouTubeVideo, videoPublishedAt: string | undefined, mediaOrigin: string): VideoView {
  const thumbnails = video.snippet?.thumbnails ?? {};
  const cover = thumbnails.medium?.url ?? thumbnails.high?.url ?? thumbnails.default?.url;
  const created = isoDate(videoPublishedAt ?? video.snippet?.publishedAt);
  const stats = video.statistics;
  return {
    id: video.id,
    title: cleanDisplayName(video.snippet?.title ?? "", "Untitled video"),
    coverUrl: cleanAvatarUrl(cover, mediaOrigin) ?? null,
    shareUrl: VIDEO_ID.test(video.id) ? `https://www.youtube.com/watch?v=${video.id}` : null,
    createdAt: created,
    durationSec: isoDurationSeconds(video.contentDetails?.duration) ?? null,
    views: stats?.viewCount ?? 0,
    // Hidden likes and disabled comments are absent, shown as 0 like TikTok's missing counts.
    likes: stats?.likeCount ?? 0,
    comments: stats?.commentCount ?? 0,
    // YouTube reports no share count.
    shares: 0,
  };
}

function isoDate(value: string | undefined): string | null {
  return value ? videoTimeIso(Date.parse(value)) : null;
}
