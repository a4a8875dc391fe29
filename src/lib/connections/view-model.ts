import type { SocialAccountRow } from "@/lib/db/schema";
import { REFRESH_TOKEN_WARNING_MS } from "@/lib/connections/token-schedule";
import { ownValue } from "@/lib/own-key";
import type { ConnectionProvider } from "./provider";

/** What the view needs of the row's provider. */
export type ViewProvider = Pick<ConnectionProvider, "slug" | "displayName" | "scopeLabels" | "capabilityScopes"> &
  Partial<Pick<ConnectionProvider, "scopes" | "missingScopesCanBeGranted" | "reconnectHelp">>;

/** "unavailable": tokens SocialFlow cannot decrypt right now (UNREADABLE) — ours to fix, not the user's. */
export type AccountHealth = "active" | "retrying" | "reconnect" | "unavailable" | "error";

export interface AccountView {
  id: string;
  /** The network: its URL slug (for its routes) and its name. */
  provider: { slug: string; displayName: string };
  displayName: string;
  avatarUrl: string | null;
  initials: string;
  health: AccountHealth;
  /** "Connected", or "Missing permission" when the grant lacks a scope SocialFlow asked for, … */
  statusLabel: string;
  /** Active, but the person withheld a permission SocialFlow asked for (amber, "Missing permission"). */
  permissionMissing: boolean;
  scopes: { id: string; label: string }[];
  /**
   * Requested scopes the grant lacks, in words, when the person can still give them at the
   * provider (Google's granular consent): the card offers "Grant permission".
   */
  missingScopes: { id: string; label: string }[];
  /**
   * What the missing scopes take away, one plain sentence each ("You didn't allow SocialFlow to
   * upload videos to this account.", "Follower count not shared."); empty when nothing is missing.
   */
  missingPermissionNotes: string[];
  /** The account's handle (TikTok `@username`, a YouTube channel's `@…`), when the provider gave one. */
  handle: string | null;
  /** Subscribers as shown: a count, "hidden" when the owner hides it, null when the network has none. */
  subscribers: string | null;
  /** Followers as shown (TikTok `follower_count` at connect), null when not known. */
  followers: string | null;
  /**
   * True: a private account (TikTok: derived from creator_info, see docs/providers/tiktok.md);
   * false: public; null: not known yet, and the card says nothing.
   */
  privateAccount: boolean | null;
  canPost: boolean;
  canListVideos: boolean;
  /** The network has an upload capability at all (TikTok); false: no upload page, no posting notice. */
  offersUpload: boolean;
  /**
   * Posting is off because SocialFlow does not ask for an upload scope at all (the app is not
   * approved for TikTok's Content Posting API yet): not the person's doing, nothing to grant.
   */
  postingAwaitsApproval: boolean;
  /** Extra words with "Reconnect needed", from the provider. */
  reconnectHelp: string | null;
  /** The access token's expiry (for its title only: SocialFlow renews it, so it is not news to a person). */
  tokenExpiry: string;
  tokenExpired: boolean;
  lastRefreshedAt: string | null;
  /** The real end: a reconnect is needed before the refresh token ends (or the sweeper asked for one). */
  refreshTokenEndsSoon: boolean;
  /** When the connection itself ends (the refresh token's end), if the provider said. */
  connectionEndsAt: string | null;
}

/** What a missing capability takes away, in words; the scopes behind each come from the provider. */
const CAPABILITY_NOTES = {
  upload: "You didn't allow SocialFlow to upload videos to this account.",
  recentVideos: "You didn't allow SocialFlow to see this account's videos.",
  accountStats: "Follower count not shared.",
} as const;

/** What the accounts page shows for a row: no token, only state a person can act on. */
export function toAccountView(row: SocialAccountRow, now: Date, provider: ViewProvider): AccountView {
  const canPost = grantsAny(row.scopes, provider.capabilityScopes.upload);
  const offersUpload = provider.capabilityScopes.upload !== undefined;
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
  const missingScopes = provider.missingScopesCanBeGranted ? (provider.scopes ?? []).filter((id) => !row.scopes.includes(id)) : [];
  const permissionMissing = health === "active" && missingScopes.length > 0;
  const statusLabel = {
    active: permissionMissing ? "Missing permission" : "Connected",
    // The token may have lapsed while the provider is unreachable: that is not "expired" (issue #5).
    retrying: tokenExpired ? `${provider.displayName} unreachable, retrying` : "Refresh delayed, retrying",
    reconnect: "Reconnect needed",
    unavailable: "Temporarily unavailable",
    error: "Needs attention",
  }[health];
  return {
    id: row.id,
    provider: { slug: provider.slug, displayName: provider.displayName },
    displayName: row.displayName,
    avatarUrl: row.avatarUrl,
    initials: Array.from(row.displayName.trim()).slice(0, 1).join("").toUpperCase() || "?",
    health,
    statusLabel,
    permissionMissing,
    scopes: row.scopes.map((id) => ({ id, label: ownValue(provider.scopeLabels, id) ?? id })),
    missingScopes: missingScopes.map((id) => ({ id, label: ownValue(provider.scopeLabels, id) ?? "A permission SocialFlow asked for" })),
    missingPermissionNotes: missingPermissionNotes(missingScopes, provider),
    handle: typeof row.providerData?.handle === "string" ? row.providerData.handle : null,
    subscribers: subscribersOf(row.providerData),
    followers: typeof row.providerData?.followerCount === "number" ? COUNT.format(row.providerData.followerCount) : null,
    privateAccount: typeof row.providerData?.privateAccount === "boolean" ? row.providerData.privateAccount : null,
    canPost,
    canListVideos: grantsAny(row.scopes, provider.capabilityScopes.recentVideos),
    offersUpload,
    postingAwaitsApproval: offersUpload && !canPost && !grantsAny(provider.scopes ?? [], provider.capabilityScopes.upload),
    reconnectHelp: provider.reconnectHelp ?? null,
    tokenExpiry: row.tokenExpiry.toISOString(),
    tokenExpired,
    lastRefreshedAt: row.lastRefreshedAt?.toISOString() ?? null,
    // The sweeper's flag, or the same test made here for a row it has not reached yet (or
    // when no sweeper runs).
    refreshTokenEndsSoon:
      row.reconnectRequestedAt !== null ||
      (row.refreshTokenExpiry !== null && row.refreshTokenExpiry.getTime() - now.getTime() < REFRESH_TOKEN_WARNING_MS),
    connectionEndsAt: row.refreshTokenExpiry?.toISOString() ?? null,
  };
}

/**
 * One sentence per capability the missing scopes switch off (a capability still reachable
 * through another granted scope is not mentioned); a missing scope behind none of them is named
 * by its label.
 */
function missingPermissionNotes(missing: readonly string[], provider: ViewProvider): string[] {
  if (missing.length === 0) return [];
  const notes: string[] = [];
  const explained = new Set<string>();
  for (const capability of Object.keys(CAPABILITY_NOTES) as (keyof typeof CAPABILITY_NOTES)[]) {
    const needed = provider.capabilityScopes[capability];
    if (!needed || !needed.some((scope) => missing.includes(scope))) continue;
    needed.forEach((scope) => explained.add(scope));
    // Still possible through a scope that was granted (or not asked for and so not missing): no loss.
    if (needed.some((scope) => !missing.includes(scope) && (provider.scopes ?? []).includes(scope))) continue;
    notes.push(CAPABILITY_NOTES[capability]);
  }
  for (const scope of missing) {
    if (!explained.has(scope)) notes.push(`You didn't allow SocialFlow: ${ownValue(provider.scopeLabels, scope) ?? "a permission it asked for"}.`);
  }
  return notes;
}

function grantsAny(granted: readonly string[], needed: readonly string[] | undefined): boolean {
  return needed !== undefined && needed.some((scope) => granted.includes(scope));
}

const COUNT = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

function subscribersOf(data: SocialAccountRow["providerData"]): string | null {
  if (!data) return null;
  if (data.subscribersHidden === true) return "hidden";
  return typeof data.subscriberCount === "number" ? COUNT.format(data.subscriberCount) : null;
}
