/**
 * Engagement rate as the analytics pages show it: (likes + comments + shares) ÷ views, shares
 * counted as 0 where the network has none (YouTube). null when there are no views: a rate of
 * nothing is not 0 %.
 */
export function engagementRate(counts: { views: number | null; likes: number | null; comments: number | null; shares: number | null }): number | null {
  const views = counts.views ?? 0;
  if (views <= 0) return null;
  return ((counts.likes ?? 0) + (counts.comments ?? 0) + (counts.shares ?? 0)) / views;
}

/** `latest − earlier` per count, null when either side is missing. */
export function countChange(latest: number | null | undefined, earlier: number | null | undefined): number | null {
  return latest == null || earlier == null ? null : latest - earlier;
}
