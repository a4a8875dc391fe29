import { cleanAvatarUrl, cleanDisplayName } from "@/lib/connections/profile-sanitize";
import type { UserProfile } from "@/lib/connections/types";
import type { AccessTokenSource, YouTubeDataApi } from "./api-client";
import { channelListSchema, type YouTubeChannel } from "./api-schemas";
import { PLAYLIST_ID } from "./videos";

/**
 * The connected account is the YouTube channel, not the Google identity: one person may manage a
 * personal channel and Brand Account channels, and `channels.list?mine=true` answers with the one
 * picked in Google's chooser (https://developers.google.com/youtube/v3/docs/channels/list).
 */
export interface ChannelProfile extends UserProfile {
  /** The channel id (`UC…`): what the account is keyed on. */
  providerUserId: string;
  unionId: undefined;
  /** The channel's handle (`@…`), when it has one. */
  handle: string | undefined;
  /** Undefined when the owner hides it (`hiddenSubscriberCount`); rounded by YouTube to 3 figures. */
  subscriberCount: number | undefined;
  videoCount: number | undefined;
  viewCount: number | undefined;
  /** Where the channel's uploads are listed (`contentDetails.relatedPlaylists.uploads`). */
  uploadsPlaylistId: string | undefined;
}

/** The chosen Google identity has no channel: nothing is stored; the grant is given back. */
export interface NoChannel {
  noChannel: true;
}

export async function channelProfile(api: YouTubeDataApi, token: AccessTokenSource): Promise<ChannelProfile | NoChannel> {
  const list = await api.get("channels.list", { part: "snippet,statistics,contentDetails", mine: "true" }, token, channelListSchema);
  // No `items` key at all (not an empty array) is Google's "this identity has no channel".
  const channel = list.items?.[0];
  if (!channel) return { noChannel: true };
  return toProfile(channel, api.mediaOrigin);
}

function toProfile(channel: YouTubeChannel, mediaOrigin: string): ChannelProfile {
  const thumbnails = channel.snippet.thumbnails ?? {};
  const thumbnail = thumbnails.medium?.url ?? thumbnails.default?.url ?? thumbnails.high?.url;
  const stats = channel.statistics;
  const uploadsPlaylist = channel.contentDetails?.relatedPlaylists.uploads;
  return {
    providerUserId: channel.id,
    unionId: undefined,
    displayName: cleanDisplayName(channel.snippet.title, "YouTube channel"),
    avatarUrl: cleanAvatarUrl(thumbnail, mediaOrigin),
    handle: channel.snippet.customUrl ? cleanDisplayName(channel.snippet.customUrl, "") || undefined : undefined,
    subscriberCount: stats?.hiddenSubscriberCount ? undefined : stats?.subscriberCount,
    videoCount: stats?.videoCount,
    viewCount: stats?.viewCount,
    // One that is not a playlist id is no playlist (no videos listed), never a failed snapshot
    // that also lost the channel's counts (S81).
    uploadsPlaylistId: uploadsPlaylist && PLAYLIST_ID.test(uploadsPlaylist) ? uploadsPlaylist : undefined,
  };
}
