import { describe, expect, it } from "vitest";
import type { SocialAccountRow } from "@/lib/db/schema";
import { toAccountView } from "./view-model";
import { bannerFor, CALLBACK_ERROR_MESSAGES } from "./banner-messages";
import { CALLBACK_ERROR_CODES } from "@/lib/connections/errors";
import { relativeTime } from "./relative-time";

const now = new Date("2026-06-01T12:00:00Z");
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
  createdAt: now,
  updatedAt: now,
  ...over,
});

describe("account view", () => {
  it("S21: without video.upload the account cannot post but still lists videos", () => {
    const view = toAccountView(row({ scopes: ["user.info.basic", "video.list"] }), now);
    expect(view.canPost).toBe(false);
    expect(view.canListVideos).toBe(true);
  });
  it("an expired account asks for reconnection", () => {
    expect(toAccountView(row({ status: "EXPIRED" }), now)).toMatchObject({ health: "reconnect", statusLabel: "Reconnect needed" });
  });
  it("a lapsed token while TikTok is unreachable says retrying, not expired", () => {
    const view = toAccountView(row({ refreshFailures: 2, tokenExpiry: new Date(now.getTime() - 1000) }), now);
    expect(view.statusLabel).toBe("TikTok unreachable, retrying");
  });
  it("flags a refresh token that ends within two weeks", () => {
    expect(toAccountView(row({ refreshTokenExpiry: new Date(now.getTime() + 86_400_000) }), now).refreshTokenEndsSoon).toBe(true);
    expect(toAccountView(row({ refreshTokenExpiry: new Date(now.getTime() + 20 * 86_400_000) }), now).refreshTokenEndsSoon).toBe(false);
  });
  it("shows the sweeper's reconnect request", () => {
    expect(toAccountView(row({ reconnectRequestedAt: now }), now).refreshTokenEndsSoon).toBe(true);
  });
  it("has plain words for every callback error code and reflects nothing unknown", () => {
    for (const code of CALLBACK_ERROR_CODES) expect(bannerFor({ error: code })?.message).toBe(CALLBACK_ERROR_MESSAGES[code]);
    expect(bannerFor({ error: "<script>" })?.message).not.toContain("<script>");
    expect(bannerFor({})).toBeNull();
  });
  it("formats relative times", () => {
    expect(relativeTime(new Date(now.getTime() + 23 * 3_600_000), now)).toBe("in 23 hours");
    expect(relativeTime(new Date(now.getTime() - 5 * 60_000), now)).toBe("5 minutes ago");
  });
});
