import { relativeTime } from "@/lib/connections/relative-time";

/**
 * What a chart says while it has fewer than two snapshots to draw a line through: how often
 * SocialFlow records stats and when the next snapshot is due.
 */
export function notEnoughSnapshotsMessage(input: { every: string; intervalMs: number; lastSnapshotAt: Date | null; now: Date }): string {
  const first = `SocialFlow records stats every ${input.every}; a chart needs two snapshots.`;
  if (!input.lastSnapshotAt) return `${first} The first is taken shortly after an account is connected.`;
  const next = new Date(Math.max(input.lastSnapshotAt.getTime() + input.intervalMs, input.now.getTime()));
  const when = next.getTime() === input.now.getTime() ? "any moment now" : relativeTime(next, input.now);
  return `${first} The next one is due ${when}.`;
}
