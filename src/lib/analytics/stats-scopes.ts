import type { SocialAccountRow } from "@/lib/db/schema";
import { grantsAnyScope } from "@/lib/connections/account-stats";
import { TIKTOK_ACCOUNT_STATS_SCOPES } from "@/lib/providers/tiktok/api-schemas";
import { YOUTUBE_ACCOUNT_STATS_SCOPES } from "@/lib/providers/youtube/config";

/**
 * The scopes that give each network's account-level counts — the same lists the providers
 * declare as `capabilityScopes.accountStats`. Read from the row's granted scopes, so a reconnect
 * that grants the scope shows at once, before the next snapshot.
 */
const ACCOUNT_STATS_SCOPES: Record<SocialAccountRow["platform"], readonly string[]> = {
  TIKTOK: TIKTOK_ACCOUNT_STATS_SCOPES,
  YOUTUBE: YOUTUBE_ACCOUNT_STATS_SCOPES,
};

export function accountStatsGranted(row: Pick<SocialAccountRow, "platform" | "scopes">): boolean {
  return grantsAnyScope(row.scopes, ACCOUNT_STATS_SCOPES[row.platform]);
}
