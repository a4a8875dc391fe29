import type { SocialAccountRow } from "@/lib/db/schema";

/**
 * A stored account row for tests that render or reason about one without a database: ACTIVE,
 * refreshed at `now`, tokens as opaque ciphertext stand-ins, a refresh token with 300 days left.
 */
export function accountRowAt(now: Date, over: Partial<SocialAccountRow> = {}): SocialAccountRow {
  return {
    id: "a1",
    userId: "u1",
    platform: "TIKTOK",
    platformUserId: "o1",
    unionId: null,
    displayName: "Ava",
    avatarUrl: null,
    scopes: ["user.info.basic", "video.list", "video.upload"],
    accessToken: "v1.x",
    refreshToken: "v1.y",
    tokenExpiry: new Date(now.getTime() + 3_600_000),
    refreshTokenExpiry: new Date(now.getTime() + 300 * 86_400_000),
    status: "ACTIVE",
    statusReason: null,
    lastRefreshedAt: now,
    refreshFailures: 0,
    nextRefreshAt: null,
    refreshLeaseId: null,
    refreshLeaseUntil: null,
    reconnectRequestedAt: null,
    manualRefreshAt: null,
    providerData: null,
    analyticsDueAt: now,
    analyticsLeaseId: null,
    analyticsLeaseUntil: null,
    disconnectClaimId: null,
    disconnectClaimUntil: null,
    createdAt: now,
    updatedAt: now,
    ...over,
  };
}
