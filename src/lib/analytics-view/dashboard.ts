import type { AccountSummary } from "@/lib/analytics/types";
import type { AccountView } from "@/lib/connections/view-model";
import type { UploadView } from "@/lib/uploads/upload-view";

/**
 * What the dashboard says about one connected account (issue #13): its health in words, taken
 * from the same view model the account card uses (src/lib/connections/view-model.ts), and why a
 * number is missing when it is.
 */

export type TileHealthKind = "connected" | "reconnect" | "permission" | "trouble";

export interface TileHealth {
  kind: TileHealthKind;
  /** Always shown as text next to the colour. */
  label: string;
  /** One sentence on what to do, or null when all is well. */
  detail: string | null;
}

/**
 * The permissions this account lacks for what SocialFlow shows or does, in words: the requested
 * scopes the grant lacks (the card's "Grant permission" list); when the network gives no such list,
 * what the granted scopes and the stats say is missing. Posting that waits for TikTok's approval of
 * the app is not the person's to grant and is left out.
 */
export function missingPermissions(view: AccountView, summary: Pick<AccountSummary, "accountStatsGranted"> | null): string[] {
  if (view.missingScopes.length > 0) return view.missingScopes.map((scope) => scope.label);
  const missing: string[] = [];
  if (summary && !summary.accountStatsGranted) missing.push("Profile statistics");
  if (!view.canListVideos) missing.push("Your videos and their stats");
  if (view.offersUpload && !view.canPost && !view.postingAwaitsApproval) missing.push("Upload videos");
  return missing;
}

export function tileHealth(view: AccountView, summary: Pick<AccountSummary, "accountStatsGranted"> | null): TileHealth {
  const network = view.provider.displayName;
  if (view.health === "reconnect") {
    return { kind: "reconnect", label: "Needs reconnect", detail: `${network} no longer accepts SocialFlow's access: reconnect it in Settings → Accounts.` };
  }
  if (view.health !== "active") return { kind: "trouble", label: view.statusLabel, detail: null };
  const missing = missingPermissions(view, summary);
  if (missing.length > 0) {
    return {
      kind: "permission",
      label: "Missing permission",
      detail: `Not granted on ${network}: ${missing.join(", ")}. Grant it by reconnecting in Settings → Accounts.`,
    };
  }
  return { kind: "connected", label: "Connected", detail: null };
}

export type StatName = "followers" | "likes" | "videos";

/**
 * Why a stat shows "—", in plain words; null when there is a number. `snapshotsEvery` is the
 * sweeper's interval in words ("6 hours").
 */
export function missingStatReason(summary: AccountSummary | null, stat: StatName, networkName: string, snapshotsEvery: string): string | null {
  if (summary?.latest && summary.latest[stat] !== null) return null;
  // The same words for all three (the tile then says it once).
  if (summary && !summary.accountStatsGranted) return `Follower, like and video counts need the "Profile statistics" permission.`;
  if (!summary?.latest) return `No stats recorded yet: SocialFlow records them every ${snapshotsEvery}.`;
  return `${networkName} doesn't report ${stat === "likes" ? "likes for a whole account" : stat === "followers" ? "followers for this account" : "a video count for this account"}.`;
}

export interface AttentionItem {
  /** Stable for React keys and tests. */
  key: string;
  kind: "reconnect" | "permission" | "trouble" | "failed-upload";
  accountId: string;
  accountName: string;
  message: string;
  /** Where to act. */
  href: string;
  action: string;
}

/** A failed upload stops asking for attention after a week. */
export const FAILED_UPLOAD_WINDOW_MS = 7 * 86_400_000;

/**
 * "Needs your attention", most urgent first: accounts that must be reconnected, accounts that
 * lack a permission or are in trouble, then uploads that failed in the last week (newest first, one line each).
 */
export function attentionItems(
  tiles: { view: AccountView; health: TileHealth }[],
  uploads: { upload: UploadView; accountId: string; accountName: string }[],
  now: Date,
): AttentionItem[] {
  const rank: Record<TileHealthKind, number> = { reconnect: 0, trouble: 1, permission: 2, connected: 3 };
  const accountItems = tiles
    // A delayed refresh retries on its own: nothing for the person to do yet.
    .filter((t) => t.health.kind !== "connected" && t.view.health !== "retrying")
    .sort((a, b) => rank[a.health.kind] - rank[b.health.kind])
    .map(({ view, health }): AttentionItem => ({
      key: `account-${view.id}`,
      kind: health.kind as AttentionItem["kind"],
      accountId: view.id,
      accountName: view.displayName,
      message: health.detail ?? `${view.provider.displayName}: ${health.label}.`,
      href: "/settings/accounts",
      action: health.kind === "reconnect" ? "Reconnect" : health.kind === "permission" ? "Grant permission" : "See details",
    }));
  const since = now.getTime() - FAILED_UPLOAD_WINDOW_MS;
  const uploadItems = uploads
    .filter((f) => f.upload.succeeded === false && Date.parse(f.upload.createdAt) >= since)
    .sort((a, b) => b.upload.createdAt.localeCompare(a.upload.createdAt))
    .map(({ upload, accountId, accountName }): AttentionItem => ({
      key: `upload-${upload.id}`,
      kind: "failed-upload",
      accountId,
      accountName,
      message: `An upload was not sent: ${upload.message}`,
      href: `/accounts/${accountId}/upload`,
      action: "Try again",
    }));
  return [...accountItems, ...uploadItems];
}
