import { describe, expect, it } from "vitest";
import type { SocialAccountRow } from "@/lib/db/schema";
import { toAccountView } from "./view-model";
import { bannerFor, callbackErrorMessage } from "./banner-messages";
import { CALLBACK_ERROR_CODES } from "@/lib/connections/errors";
import { relativeTime } from "./relative-time";

const now = new Date("2026-06-01T12:00:00Z");
/** A provider as the view sees it (the core's tests use no real provider). */
const provider = {
  slug: "net",
  displayName: "Net",
  scopeLabels: { "video.list": "Your videos" },
  capabilityScopes: { recentVideos: ["video.list"], upload: ["video.upload"] },
};

const row = (over: Partial<SocialAccountRow> = {}): SocialAccountRow => ({
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
  createdAt: now,
  updatedAt: now,
  ...over,
});

describe("account view", () => {
  it("S21: without video.upload the account cannot post but still lists videos", () => {
    const view = toAccountView(row({ scopes: ["user.info.basic", "video.list"] }), now, provider);
    expect(view.canPost).toBe(false);
    expect(view.canListVideos).toBe(true);
  });
  it("an expired account asks for reconnection", () => {
    expect(toAccountView(row({ status: "EXPIRED" }), now, provider)).toMatchObject({ health: "reconnect", statusLabel: "Reconnect needed" });
  });
  it("a lapsed token while the provider is unreachable says retrying, not expired", () => {
    const view = toAccountView(row({ refreshFailures: 2, tokenExpiry: new Date(now.getTime() - 1000) }), now, provider);
    expect(view.statusLabel).toBe("Net unreachable, retrying");
  });
  it("flags a refresh token that ends within two weeks", () => {
    expect(toAccountView(row({ refreshTokenExpiry: new Date(now.getTime() + 86_400_000) }), now, provider).refreshTokenEndsSoon).toBe(true);
    expect(toAccountView(row({ refreshTokenExpiry: new Date(now.getTime() + 20 * 86_400_000) }), now, provider).refreshTokenEndsSoon).toBe(false);
  });
  it("shows the sweeper's reconnect request", () => {
    expect(toAccountView(row({ reconnectRequestedAt: now }), now, provider).refreshTokenEndsSoon).toBe(true);
  });
  it("has plain words for every callback error code and reflects nothing unknown", () => {
    const lookup = (slug: string) => (slug === "net" ? provider : undefined);
    for (const code of CALLBACK_ERROR_CODES) {
      expect(bannerFor({ error: code, provider: "net" }, lookup)?.message).toBe(callbackErrorMessage(code, "Net"));
    }
    expect(bannerFor({ error: "<script>", provider: "<b>" }, lookup)?.message).not.toContain("<");
    expect(bannerFor({ success: "<script>" }, lookup)).toBeNull();
    expect(bannerFor({ success: "net" }, lookup)).toEqual({ kind: "success", message: "Your Net account is connected." });
    expect(bannerFor({}, lookup)).toBeNull();
  });
  it("formats relative times", () => {
    expect(relativeTime(new Date(now.getTime() + 23 * 3_600_000), now)).toBe("in 23 hours");
    expect(relativeTime(new Date(now.getTime() - 5 * 60_000), now)).toBe("5 minutes ago");
  });
});
