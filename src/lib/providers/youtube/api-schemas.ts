import { z } from "zod";
import { MAX_TOKEN_LIFETIME_S } from "@/lib/connections/token-schedule";

/**
 * What SocialFlow reads of Google's and YouTube's answers, checked at the boundary. Counts come
 * as JSON strings (uint64); a count that is absent (likes hidden, comments off) stays undefined.
 * A count must also be a safe integer (below 2^53, so also within the bigint columns it is
 * stored in), as TikTok's counts are: a uint64 beyond that is no real count, and once stored it
 * would fail the snapshot's insert.
 * https://developers.google.com/youtube/v3/docs/channels, /playlistItems, /videos
 */
const count = z
  .string()
  .regex(/^\d{1,20}$/)
  .transform(Number)
  .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER))
  .optional();

const thumbnail = z.object({ url: z.string().max(2048) }).partial();
const thumbnails = z.record(z.string(), thumbnail).optional();

/** Google's token endpoint (https://developers.google.com/identity/protocols/oauth2/web-server#exchange-authorization-code). */
export const googleTokenSchema = z.object({
  access_token: z.string().min(1).max(4096),
  /** Lifetimes are capped like TikTok's: a larger one cannot be scheduled, so the answer is malformed. */
  expires_in: z.number().int().positive().max(MAX_TOKEN_LIFETIME_S),
  /** Only on a code exchange that showed the consent screen; never on a refresh (no rotation). */
  refresh_token: z.string().min(1).max(1024).optional(),
  /** Only for a time-limited grant (https://developers.google.com/identity/protocols/oauth2/web-server#exchange-authorization-code). */
  refresh_token_expires_in: z.number().int().positive().max(MAX_TOKEN_LIFETIME_S).optional(),
  scope: z.string().max(4096).optional(),
  token_type: z.string().max(32).optional(),
  id_token: z.string().max(8192).optional(),
});
export type GoogleToken = z.infer<typeof googleTokenSchema>;

/** RFC 6749 §5.2 error body: branch on `error`, never on `error_description`. */
export const googleOAuthErrorSchema = z.object({ error: z.string().max(128), error_description: z.string().max(1024).optional() });

export const channelListSchema = z.object({
  pageInfo: z.object({ totalResults: z.number().int().nonnegative() }).partial().optional(),
  /** No `items` key at all when the chosen Google identity has no channel. */
  items: z
    .array(
      z.object({
        id: z.string().regex(/^UC[\w-]{22}$/),
        snippet: z.object({ title: z.string().max(512), customUrl: z.string().max(128).optional(), thumbnails }),
        contentDetails: z.object({ relatedPlaylists: z.object({ uploads: z.string().max(64).optional() }).partial() }).optional(),
        statistics: z
          .object({ viewCount: count, subscriberCount: count, hiddenSubscriberCount: z.boolean().optional(), videoCount: count })
          .optional(),
      }),
    )
    .optional(),
});
export type YouTubeChannel = NonNullable<z.infer<typeof channelListSchema>["items"]>[number];

export const playlistItemListSchema = z.object({
  nextPageToken: z.string().max(256).optional(),
  items: z
    .array(
      z.object({
        contentDetails: z.object({ videoId: z.string().max(64), videoPublishedAt: z.string().max(64).optional() }),
      }),
    )
    .default([]),
});

export const videoListSchema = z.object({
  items: z
    .array(
      z.object({
        id: z.string().max(64),
        snippet: z.object({ title: z.string().max(1024).optional(), publishedAt: z.string().max(64).optional(), thumbnails }).optional(),
        contentDetails: z.object({ duration: z.string().max(64).optional() }).optional(),
        statistics: z.object({ viewCount: count, likeCount: count, commentCount: count }).optional(),
      }),
    )
    .default([]),
});
export type YouTubeVideo = z.infer<typeof videoListSchema>["items"][number];

/** YouTube's error envelope (https://developers.google.com/youtube/v3/docs/errors). */
export const youTubeErrorSchema = z.object({
  error: z.object({
    code: z.number().int(),
    errors: z.array(z.object({ reason: z.string().max(128).optional(), domain: z.string().max(128).optional() })).optional(),
  }),
});
