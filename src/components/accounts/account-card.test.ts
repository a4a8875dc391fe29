import { createElement, isValidElement, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import type { SocialAccountRow } from "@/lib/db/schema";
import { toAccountView } from "@/lib/connections/view-model";
import { TikTokProvider } from "@/lib/providers/tiktok/oauth-provider";
import { sandboxTikTokConfig } from "../../../tests/helpers/seed-accounts";
import { accountRowAt } from "../../../tests/helpers/account-row";
import { ACCOUNT_UNAVAILABLE_MESSAGE } from "@/lib/connections/unavailable-message";
import { AccountCard } from "./account-card";
import { AccountActions } from "./account-actions";
import { ConnectButton } from "./connect-button";
import { YouTubeProvider } from "@/lib/providers/youtube/provider";
import { loadYouTubeConfig, YOUTUBE_READONLY, YOUTUBE_UPLOAD } from "@/lib/providers/youtube/config";

// The card's buttons are client components using the App Router; rendered here outside it.
vi.mock("next/navigation", () => ({ useRouter: () => ({ refresh() {}, push() {}, replace() {} }) }));

const now = new Date("2026-06-01T12:00:00Z");
const provider = new TikTokProvider(sandboxTikTokConfig("http://127.0.0.1:9"));
const row = (over: Partial<SocialAccountRow> = {}): SocialAccountRow =>
  // Its refresh token ends soon too: still no reconnect call to action while unavailable.
  accountRowAt(now, { refreshTokenExpiry: new Date(now.getTime() + 86_400_000), ...over });

const render = (r: SocialAccountRow) => renderToStaticMarkup(createElement(AccountCard, { account: toAccountView(r, now, provider), events: [], now }));

describe("account card", () => {
  it("S60: an UNREADABLE account reads \"Temporarily unavailable\" in its own colour, with no Reconnect (nor Refresh) to press", () => {
    const view = toAccountView(row({ status: "UNREADABLE", statusReason: "token_unreadable" }), now, provider);
    expect(view).toMatchObject({ health: "unavailable", statusLabel: "Temporarily unavailable" });
    const html = render(row({ status: "UNREADABLE", statusReason: "token_unreadable" }));
    expect(html).toContain("Temporarily unavailable");
    expect(html).toContain(ACCOUNT_UNAVAILABLE_MESSAGE.replaceAll("'", "&#x27;"));
    expect(html).toContain("bg-slate-200");
    expect(html).not.toMatch(/Reconnect/);
    expect(html).not.toContain(">Refresh<");
    expect(html).toContain(">Disconnect<");
    expect(html).not.toContain("bg-red-100");
  });

  it("S60: an EXPIRED account still asks for a reconnect, in red", () => {
    const html = render(row({ status: "EXPIRED", statusReason: "refresh_token_invalid" }));
    expect(html).toContain("Reconnect needed");
    expect(html).toContain(">Reconnect<");
    expect(html).toContain("bg-red-100");
    expect(html).not.toContain("Temporarily unavailable");
  });
});

describe("account card of a YouTube channel", () => {
  const youtube = new YouTubeProvider(
    loadYouTubeConfig({ GOOGLE_CLIENT_ID: "id.apps.googleusercontent.com", GOOGLE_CLIENT_SECRET: "secret" }, "http://localhost:3000")!,
  );
  const channel = (over: Partial<SocialAccountRow> = {}) =>
    row({
      platform: "YOUTUBE",
      platformUserId: "UCabcdefghijklmnopqrstuv",
      displayName: "Ada Makes Things",
      scopes: [YOUTUBE_READONLY, YOUTUBE_UPLOAD],
      refreshTokenExpiry: null,
      providerData: { handle: "@adamakesthings", subscriberCount: 1230, subscribersHidden: false, videoCount: 30, uploadsPlaylistId: "UUabcdefghijklmnopqrstuv" },
      ...over,
    });
  const view = (r: SocialAccountRow) => toAccountView(r, now, youtube);
  const html = (r: SocialAccountRow) => renderToStaticMarkup(createElement(AccountCard, { account: view(r), events: [], now }));

  const tree = (r: SocialAccountRow) => elementsOf(AccountCard({ account: view(r), events: [], now }));

  it("shows the channel's title, @handle and subscribers, badged YouTube, with no upload link nor TikTok's posting notice", () => {
    const markup = html(channel());
    expect(markup).toContain('aria-label="YouTube account Ada Makes Things"');
    expect(markup).toContain("Ada Makes Things");
    expect(markup).toContain(">@adamakesthings<");
    expect(markup).toContain(">1.2K subscribers<");
    expect(markup).toContain(">YouTube<");
    expect(markup).not.toContain("Upload a video");
    expect(markup).not.toContain("posting-approval-notice");
    expect(markup).not.toContain("Grant permission");
    expect(markup).toContain("Recent videos");
  });

  it("a hidden subscriber count reads as hidden", () => {
    expect(html(channel({ providerData: { handle: "@w", subscriberCount: null, subscribersHidden: true } }))).toContain(">subscribers hidden<");
  });

  it("a requested scope missing from the grant is named in words with a Grant permission button (a reconnect of YouTube)", () => {
    const r = channel({ scopes: [YOUTUBE_READONLY] });
    const markup = html(r);
    expect(markup).toContain("Upload videos to your channel");
    expect(markup).toContain(">Grant permission<");
    const grant = tree(r).find((e) => e.type === ConnectButton && (e.props as { label?: string }).label === "Grant permission");
    expect((grant?.props as { provider: { slug: string } }).provider.slug).toBe("youtube");
  });

  it("its Refresh/Disconnect and Reconnect buttons call YouTube's routes, and the reconnect names Google's 7-day Testing limit", () => {
    const actions = tree(channel()).filter((e) => e.type === AccountActions);
    expect(actions.map((e) => (e.props as { providerSlug: string }).providerSlug)).toEqual(["youtube"]);
    const expired = channel({ status: "EXPIRED", statusReason: "refresh_token_invalid" });
    const reconnect = tree(expired).find((e) => e.type === ConnectButton);
    expect((reconnect?.props as { provider: { slug: string } }).provider.slug).toBe("youtube");
    expect(html(expired)).toContain("every 7 days");
  });

  it("a TikTok card keeps TikTok's routes", () => {
    const tiktok = row({ scopes: ["user.info.basic", "video.list", "video.upload"] });
    const elems = elementsOf(AccountCard({ account: toAccountView(tiktok, now, provider), events: [], now }));
    expect(elems.filter((e) => e.type === AccountActions).map((e) => (e.props as { providerSlug: string }).providerSlug)).toEqual(["tiktok"]);
  });
});

describe("account card of a TikTok account (issue #13: partial permissions, profile extras, wording)", () => {
  const tiktok = (scopes: string[]) => new TikTokProvider(sandboxTikTokConfig("http://127.0.0.1:9", { scopes }));
  const ALL = ["user.info.basic", "user.info.profile", "user.info.stats", "video.list", "video.upload"];
  const full = tiktok(ALL);
  const html = (r: SocialAccountRow, p = full) => renderToStaticMarkup(createElement(AccountCard, { account: toAccountView(r, now, p), events: [], now }));
  const grantButton = (r: SocialAccountRow, p = full) =>
    elementsOf(AccountCard({ account: toAccountView(r, now, p), events: [], now })).find(
      (e) => e.type === ConnectButton && (e.props as { label?: string }).label === "Grant permission",
    );

  it("upload unticked at TikTok: says the person didn't allow it, amber in words, and Grant permission asks for video.upload — no blame on TikTok's approval", () => {
    const r = row({ scopes: ["user.info.basic", "user.info.profile", "user.info.stats", "video.list"] });
    const view = toAccountView(r, now, full);
    expect(view).toMatchObject({ health: "active", statusLabel: "Missing permission", permissionMissing: true, canPost: false, postingAwaitsApproval: false });
    const markup = html(r);
    expect(markup).toContain("You didn&#x27;t allow SocialFlow to upload videos to this account.");
    expect(markup).toMatch(/bg-amber-100 text-amber-800">Missing permission</);
    expect(markup).not.toContain("bg-emerald-100");
    expect(markup).not.toContain("approval");
    expect(markup).not.toContain("posting-approval-notice");
    expect((grantButton(r)?.props as { scopes: string[]; provider: { slug: string } })).toMatchObject({ scopes: ["video.upload"], provider: { slug: "tiktok" } });
  });

  it("TikTok's approval is named only when SocialFlow does not ask for an upload scope at all (not the person's doing, nothing to grant)", () => {
    const unapproved = tiktok(["user.info.basic", "video.list"]);
    const r = row({ scopes: ["user.info.basic", "video.list"] });
    expect(toAccountView(r, now, unapproved)).toMatchObject({ statusLabel: "Connected", permissionMissing: false, postingAwaitsApproval: true });
    expect(html(r, unapproved)).toContain("posting-approval-notice");
    expect(html(r, unapproved)).toContain("Content Posting API");
    expect(grantButton(r, unapproved)).toBeUndefined();
  });

  it("all granted: @handle, followers, no missing permission; stats withheld: \"Follower count not shared\" with Grant permission", () => {
    const granted = row({ scopes: ALL, providerData: { handle: "@ava.sandbox", followerCount: 12_345 } });
    const markup = html(granted);
    expect(markup).toContain(">@ava.sandbox<");
    expect(markup).toContain(">12.3K followers<");
    expect(markup).toContain(">Connected<");
    expect(markup).not.toContain("missing-permission");

    const noStats = row({ scopes: ALL.filter((s) => s !== "user.info.stats"), providerData: { handle: "@ava.sandbox" } });
    const degraded = html(noStats);
    expect(degraded).toContain("Follower count not shared.");
    expect(degraded).not.toContain("followers<");
    expect((grantButton(noStats)?.props as { scopes: string[] }).scopes).toEqual(["user.info.stats"]);
  });

  it("the private flag shows only when known: true → \"Private account\", false or unknown → nothing", () => {
    expect(html(row({ scopes: ALL, providerData: { privateAccount: true } }))).toContain(">Private account<");
    expect(html(row({ scopes: ALL, providerData: { privateAccount: false } }))).not.toContain("Private");
    expect(html(row({ scopes: ALL, providerData: null }))).not.toContain("Private");
  });

  it("access is renewed by SocialFlow (no \"expires in 24 hours\"); the real end is named only when the connection nears it", () => {
    const fresh = row({ scopes: ALL, tokenExpiry: new Date(now.getTime() + 24 * 3_600_000), refreshTokenExpiry: new Date(now.getTime() + 300 * 86_400_000) });
    const markup = html(fresh);
    expect(markup).toContain("renewed automatically by SocialFlow");
    expect(markup).not.toMatch(/expires|in 24 hours|Access token/);
    expect(markup).not.toContain("connection-ends");
    const ending = html(row({ scopes: ALL, refreshTokenExpiry: new Date(now.getTime() + 5 * 86_400_000) }));
    expect(ending).toContain("This connection to TikTok ends in 5 days");
    expect(ending).toContain(">Reconnect<");
  });
});

/** The elements the card renders, walked without a DOM (its buttons' props name the routes they call). */
function elementsOf(node: unknown, out: ReactElement[] = []): ReactElement[] {
  if (Array.isArray(node)) node.forEach((n) => elementsOf(n, out));
  else if (isValidElement(node)) {
    out.push(node);
    elementsOf((node.props as { children?: unknown }).children, out);
  }
  return out;
}
