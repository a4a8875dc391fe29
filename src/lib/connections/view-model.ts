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
  statusLabel: string;
  scopes: { id: string; label: string }[];
  /**
   * Requested scopes the grant lacks, in words, when the person can still give them at the
   * provider (Google's granular consent): the card offers "Grant permission".
   */
  missingScopes: { id: string; label: string }[];
  /** The account's handle (a YouTube channel's `@…`), when the provider has one. */
  handle: string | null;
  /** Subscribers as shown: a count, "hidden" when the owner hides it, null when the network has none. */
  subscribers: string | null;
  canPost: boolean;
  canListVideos: boolean;
  /** The network has an upload capability at all (TikTok); false: no upload page, no posting notice. */
  offersUpload: boolean;
  /** Extra words with "Reconnect needed", from the provider. */
  reconnectHelp: string | null;
  tokenExpiry: string;
  tokenExpired: boolean;
  lastRefreshedAt: string | null;
  refreshTokenEndsSoon: boolean;
}

/** What the accounts page shows for a row: no token, only state a person can act on. */
export function toAccountView(row: SocialAccountRow, now: Date, provider: ViewProvider): AccountView {
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
    scopes: row.scopes.map((id) => ({ id, label: ownValue(provider.scopeLabels, id) ?? id })),
    missingScopes: provider.missingScopesCanBeGranted
      ? (provider.scopes ?? []).filter((id) => !row.scopes.includes(id)).map((id) => ({ id, label: ownValue(provider.scopeLabels, id) ?? "A permission SocialFlow asked for" }))
      : [],
    handle: typeof row.providerData?.handle === "string" ? row.providerData.handle : null,
    subscribers: subscribersOf(row.providerData),
    canPost: grantsAny(row.scopes, provider.capabilityScopes.upload),
    canListVideos: grantsAny(row.scopes, provider.capabilityScopes.recentVideos),
    offersUpload: provider.capabilityScopes.upload !== undefined,
    reconnectHelp: provider.reconnectHelp ?? null,
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

function grantsAny(granted: readonly string[], needed: readonly string[] | undefined): boolean {
  return needed !== undefined && needed.some((scope) => granted.includes(scope));
}

const COUNT = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

function subscribersOf(data: SocialAccountRow["providerData"]): string | null {
  if (!data) return null;
  if (data.subscribersHidden === true) return "hidden";
  return typeof data.subscriberCount === "number" ? COUNT.format(data.subscriberCount) : null;
}
