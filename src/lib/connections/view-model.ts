import type { SocialAccountRow } from "@/lib/db/schema";
import { REFRESH_TOKEN_WARNING_MS } from "@/lib/connections/token-schedule";
import { ownValue } from "@/lib/own-key";

/** Scopes in plain words (TikTok's scope ids in TIKTOK_API.md §4–5). */
export const SCOPE_LABELS: Record<string, string> = {
  "user.info.basic": "Profile (name, avatar)",
  "user.info.profile": "Profile details",
  "user.info.stats": "Profile statistics",
  "video.list": "Your videos and their stats",
  "video.upload": "Upload videos to your inbox",
  "video.publish": "Post videos directly",
};

/** "unavailable": tokens SocialFlow cannot decrypt right now (UNREADABLE) — ours to fix, not the user's. */
export type AccountHealth = "active" | "retrying" | "reconnect" | "unavailable" | "error";

export interface AccountView {
  id: string;
  displayName: string;
  avatarUrl: string | null;
  initials: string;
  health: AccountHealth;
  statusLabel: string;
  scopes: { id: string; label: string }[];
  canPost: boolean;
  canListVideos: boolean;
  tokenExpiry: string;
  tokenExpired: boolean;
  lastRefreshedAt: string | null;
  refreshTokenEndsSoon: boolean;
}

/** What the accounts page shows for a row: no token, only state a person can act on. */
export function toAccountView(row: SocialAccountRow, now: Date): AccountView {
  const tokenExpired = row.tokenExpiry.getTime() <= now.getTime();
  const health: AccountHealth =
    row.status === "EXPIRED" || row.status === "REVOKED"
      ? "reconnect"
      : row.status === "UNREADABLE"
        ? "unavailable"
        : row.status === "ERROR"
          ? "error"
          : row.refreshFailures > 0
            ? "retrying"
            : "active";
  const statusLabel = {
    active: "Connected",
    // The token may have lapsed while TikTok is unreachable: that is not "expired" (issue #5).
    retrying: tokenExpired ? "TikTok unreachable, retrying" : "Refresh delayed, retrying",
    reconnect: "Reconnect needed",
    unavailable: "Temporarily unavailable",
    error: "Needs attention",
  }[health];
  return {
    id: row.id,
    displayName: row.displayName,
    avatarUrl: row.avatarUrl,
    initials: Array.from(row.displayName.trim()).slice(0, 1).join("").toUpperCase() || "?",
    health,
    statusLabel,
    scopes: row.scopes.map((id) => ({ id, label: ownValue(SCOPE_LABELS, id) ?? id })),
    canPost: row.scopes.includes("video.upload") || row.scopes.includes("video.publish"),
    canListVideos: row.scopes.includes("video.list"),
    tokenExpiry: row.tokenExpiry.toISOString(),
    tokenExpired,
    lastRefreshedAt: row.lastRefreshedAt?.toISOString() ?? null,
    // The sweeper's flag, or the same test made here for a row it has not reached yet (or
    // when no sweeper runs).
    refreshTokenEndsSoon:
      row.reconnectRequestedAt !== null ||
      (row.refreshTokenExpiry !== null && row.refreshTokenExpiry.getTime() - now.getTime() < REFRESH_TOKEN_WARNING_MS),
  };
}
