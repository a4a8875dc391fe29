import type { CreatorInfo } from "./api-schemas";

/**
 * Whether the creator's account is private, as far as TikTok lets us tell: TikTok's user info has
 * no such field, but creator_info (TikTok: Content Posting API, Query Creator Info) lists the
 * audiences the creator may post to, and a private account is not offered `PUBLIC_TO_EVERYONE`
 * (its widest audience is its followers). An empty list says nothing: undefined, and the card
 * shows no flag rather than a guess. creator_info needs `video.publish`, so without it the flag
 * stays unknown.
 */
export function privateAccountFrom(info: Pick<CreatorInfo, "privacy_level_options">): boolean | undefined {
  if (info.privacy_level_options.length === 0) return undefined;
  return !info.privacy_level_options.includes("PUBLIC_TO_EVERYONE");
}
