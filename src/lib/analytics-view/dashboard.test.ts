import { describe, expect, it } from "vitest";
import type { AccountSummary } from "@/lib/analytics/types";
import type { SocialAccountRow } from "@/lib/db/schema";
import { toAccountView } from "@/lib/connections/view-model";
import { TikTokProvider } from "@/lib/providers/tiktok/oauth-provider";
import type { UploadView } from "@/lib/uploads/upload-view";
import { sandboxTikTokConfig } from "../../../tests/helpers/seed-accounts";
import { accountRowAt } from "../../../tests/helpers/account-row";
import { attentionItems, missingPermissions, missingStatReason, tileHealth } from "./dashboard";

const now = new Date("2026-06-01T12:00:00Z");
const provider = new TikTokProvider(sandboxTikTokConfig("http://127.0.0.1:9"));
const ALL_SCOPES = ["user.info.basic", "user.info.stats", "video.list", "video.upload"];
const view = (over: Partial<SocialAccountRow> = {}) => toAccountView(accountRowAt(now, { scopes: ALL_SCOPES, ...over }), now, provider);
const granted = { accountStatsGranted: true };

const summary = (over: Partial<AccountSummary> = {}): AccountSummary => ({
  accountId: "a1",
  latest: { at: now, followers: 1200, following: 3, likes: 9000, videos: 12, views: null },
  change7d: { followers: 40, likes: 300, videos: 1 },
  followersTrend: [],
  accountStatsGranted: true,
  ...over,
});

const upload = (id: string, succeeded: boolean | null, hoursAgo: number): UploadView => ({
  id,
  mode: "inbox",
  state: succeeded === false ? "FAILED" : succeeded ? "SEND_TO_USER_INBOX" : "UPLOADING",
  done: succeeded !== null,
  succeeded,
  bytesSent: 0,
  totalBytes: 10,
  message: succeeded === false ? "TikTok refused the video." : "Sent.",
  problems: [],
  warnings: [],
  errorCode: null,
  failReason: null,
  retryAt: null,
  createdAt: new Date(now.getTime() - hoursAgo * 3_600_000).toISOString(),
  completedAt: null,
});

describe("dashboard: an account's health in words", () => {
  it("connected when active and every permission is granted", () => {
    expect(tileHealth(view(), granted)).toEqual({ kind: "connected", label: "Connected", detail: null });
  });

  it("needs reconnect for an expired or revoked grant, whatever else is missing", () => {
    for (const status of ["EXPIRED", "REVOKED"] as const) {
      expect(tileHealth(view({ status, scopes: ["user.info.basic"] }), { accountStatsGranted: false })).toMatchObject({ kind: "reconnect", label: "Needs reconnect" });
    }
  });

  it("missing permission names the requested scopes the grant lacks, as the card does", () => {
    const partial = view({ scopes: ["user.info.basic"] });
    expect(partial.permissionMissing).toBe(true);
    expect(missingPermissions(partial, { accountStatsGranted: false })).toEqual(["Your videos and their stats", "Upload videos to your inbox"]);
    const health = tileHealth(partial, { accountStatsGranted: false });
    expect(health.kind).toBe("permission");
    expect(health.label).toBe("Missing permission");
    expect(health.detail).toContain("Upload videos to your inbox");
  });

  it("stats not granted although every requested scope was (the app does not ask for them): still a missing permission", () => {
    expect(missingPermissions(view(), { accountStatsGranted: false })).toEqual(["Profile statistics"]);
    expect(tileHealth(view(), { accountStatsGranted: false }).kind).toBe("permission");
  });

  it("a temporarily unavailable account keeps the card's own words", () => {
    expect(tileHealth(view({ status: "UNREADABLE" }), granted)).toEqual({ kind: "trouble", label: "Temporarily unavailable", detail: null });
  });
});

describe("dashboard: why a number is missing", () => {
  it("no reason when there is a number", () => {
    expect(missingStatReason(summary(), "followers", "TikTok", "6 hours")).toBeNull();
  });

  it("names the permission when account stats were not granted", () => {
    expect(missingStatReason(summary({ latest: null, accountStatsGranted: false }), "followers", "TikTok", "6 hours")).toBe(
      'Follower, like and video counts need the "Profile statistics" permission.',
    );
  });

  it("says when stats come before the first snapshot", () => {
    expect(missingStatReason(summary({ latest: null }), "videos", "TikTok", "6 hours")).toBe("No stats recorded yet: SocialFlow records them every 6 hours.");
    expect(missingStatReason(null, "likes", "TikTok", "6 hours")).toMatch(/No stats recorded yet/);
  });

  it("says the network does not give it (YouTube has no channel-wide likes)", () => {
    const youtube = summary({ latest: { at: now, followers: 10, following: null, likes: null, videos: 3, views: 100 } });
    expect(missingStatReason(youtube, "likes", "YouTube", "6 hours")).toBe("YouTube doesn't report likes for a whole account.");
  });
});

describe("dashboard: needs your attention", () => {
  it("reconnects first, then trouble, then missing permissions, then this week's failed uploads newest first", () => {
    const tiles = [
      view({ id: "ok", displayName: "Fine" }),
      view({ id: "perm", displayName: "Partial", scopes: ["user.info.basic", "video.list"] }),
      view({ id: "gone", displayName: "Expired", status: "EXPIRED" }),
      view({ id: "retry", displayName: "Retrying", refreshFailures: 2 }),
    ].map((v) => ({ view: v, health: tileHealth(v, granted) }));
    const uploads = [
      { upload: upload("u-old", false, 24 * 8), accountId: "ok", accountName: "Fine" },
      { upload: upload("u-1", false, 5), accountId: "ok", accountName: "Fine" },
      { upload: upload("u-2", false, 1), accountId: "perm", accountName: "Partial" },
      { upload: upload("u-ok", true, 1), accountId: "ok", accountName: "Fine" },
      { upload: upload("u-run", null, 1), accountId: "ok", accountName: "Fine" },
    ];
    const items = attentionItems(tiles, uploads, now);
    expect(items.map((i) => i.key)).toEqual(["account-gone", "account-perm", "upload-u-2", "upload-u-1"]);
    expect(items[0]).toMatchObject({ kind: "reconnect", action: "Reconnect", href: "/settings/accounts" });
    expect(items[1]).toMatchObject({ kind: "permission", action: "Grant permission" });
    expect(items[2]).toMatchObject({ kind: "failed-upload", href: "/accounts/perm/upload", message: "An upload was not sent: TikTok refused the video." });
  });

  it("nothing when all is well", () => {
    const v = view();
    expect(attentionItems([{ view: v, health: tileHealth(v, granted) }], [{ upload: upload("u", true, 1), accountId: v.id, accountName: "Ava" }], now)).toEqual([]);
  });
});
