/**
 * One video as the pages show it, whatever the network: counts as numbers, links checked by the
 * provider before they get here (profile-sanitize.ts), a count the network hides as 0.
 */
export interface VideoView {
  id: string;
  title: string;
  coverUrl: string | null;
  shareUrl: string | null;
  createdAt: string | null;
  durationSec: number | null;
  views: number;
  likes: number;
  comments: number;
  shares: number;
}
