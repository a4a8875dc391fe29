/**
 * YouTube through the app's real routes (`/api/oauth/youtube/…`, `/api/accounts/:id/videos`),
 * the connections core and the Google sandbox, configured only through GOOGLE_* and
 * YOUTUBE_API_BASE_URL (tests/helpers/app-harness.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { socialAccounts, type SocialAccountRow } from "@/lib/db/schema";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { saveConnection, tokenAad } from "@/lib/connections/account-store";
import { toAccountView } from "@/lib/connections/view-model";
import { bannerFor } from "@/lib/connections/banner-messages";
import { getAppServices } from "@/lib/services";
import { GET as videosRoute } from "@/app/api/accounts/[accountId]/videos/route";
import { APP_URL, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { connectYouTube, connectYouTubeFlow } from "../helpers/connect-flow";
import { disconnectRoute, refreshRoute } from "../helpers/oauth-routes";
import { installProviderFetchTap, jsonResponse } from "../helpers/fetch-tap";
import { ADA, ADA_BRAND, BEN, NORA, READONLY, UPLOAD } from "../../sandbox/google/tests/helpers";

let h: AppHarness;
beforeAll(async () => {
  h = await startAppHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  h.install();
  h.google.control.reset();
  // The sandbox's channels are few: each test links them afresh (a channel has one owner).
  await h.db.delete(socialAccounts);
});

async function signedIn() {
  const user = await h.signUp();
  return { user, browser: new TestBrowser(user.cookie) };
}

async function rowOf(accountId: string): Promise<SocialAccountRow | undefined> {
  const [row] = await h.db.select().from(socialAccounts).where(eq(socialAccounts.id, accountId));
  return row;
}

/** The Refresh button does nothing within a minute of the last refresh (a connect counts): age it. */
const refreshedLongAgo = (accountId: string) =>
  h.db.update(socialAccounts).set({ lastRefreshedAt: new Date(Date.now() - 120_000) }).where(eq(socialAccounts.id, accountId));
const refreshTokenOf = (row: SocialAccountRow) => getTokenCipher().decrypt(row.refreshToken!, tokenAad(row.id, "refresh_token"));
const accessTokenOf = (row: SocialAccountRow) => getTokenCipher().decrypt(row.accessToken, tokenAad(row.id, "access_token"));
const post = (browser: TestBrowser, action: string, accountId: string) =>
  browser.request(`${APP_URL}/api/oauth/youtube/${action}`, { method: "POST", body: JSON.stringify({ accountId }), headers: { "content-type": "application/json" } });
const videos = (browser: TestBrowser, accountId: string, cursor?: string) =>
  videosRoute(browser.request(`${APP_URL}/api/accounts/${accountId}/videos${cursor === undefined ? "" : `?cursor=${encodeURIComponent(cursor)}`}`), {
    params: Promise.resolve({ accountId }),
  });
const channelOf = (accountId: string) => h.google.control.users().find((u) => u.id === accountId)!.channel!;
const youtube = async () => (await getAppServices()).providers.get("YOUTUBE");

describe("connect a YouTube channel", () => {
  it("a personal channel: the channel is the account (id, title, handle, subscribers, uploads playlist), tokens encrypted, success banner", async () => {
    const { user, browser } = await signedIn();
    const { location } = await connectYouTubeFlow(browser, { account: ADA });
    expect(location?.pathname).toBe("/settings/accounts");
    expect(location?.searchParams.get("success")).toBe("youtube");
    const row = (await rowOf(location!.searchParams.get("account")!))!;
    const channel = channelOf(ADA);
    expect(row).toMatchObject({ userId: user.id, platform: "YOUTUBE", platformUserId: channel.id, displayName: "Ada Makes Things", status: "ACTIVE" });
    expect(row.providerData).toMatchObject({ handle: "@adamakesthings", subscriberCount: 1230, subscribersHidden: false, uploadsPlaylistId: `UU${channel.id.slice(2)}` });
    expect(row.scopes).toEqual([READONLY, UPLOAD]);
    // Stored encrypted, and they are Google's (the sandbox knows them as valid).
    expect(row.accessToken).not.toContain(accessTokenOf(row));
    expect(h.google.control.tokenState(refreshTokenOf(row))).toBe("valid");
    // Google's access tokens last 3599 s.
    expect(row.tokenExpiry.getTime() - Date.now()).toBeGreaterThan(3_500_000);
    const view = toAccountView(row, new Date(), await youtube());
    expect(view).toMatchObject({ provider: { slug: "youtube", displayName: "YouTube" }, handle: "@adamakesthings", subscribers: "1.2K", missingScopes: [], canListVideos: true, canPost: false });
    expect(bannerFor({ success: "youtube" }, (slug) => (slug === "youtube" ? { displayName: "YouTube" } : undefined))?.message).toBe("Your YouTube account is connected.");
  });

  it("a Brand Account channel picked in the chooser is its own account; its hidden subscriber count shows as hidden", async () => {
    const { browser } = await signedIn();
    const personal = await connectYouTube(browser, { account: ADA });
    const brand = await connectYouTube(browser, { account: ADA_BRAND });
    expect(brand).not.toBe(personal);
    const row = (await rowOf(brand))!;
    expect(row).toMatchObject({ platform: "YOUTUBE", platformUserId: channelOf(ADA_BRAND).id, displayName: "Ada's Workshop" });
    expect(toAccountView(row, new Date(), await youtube()).subscribers).toBe("hidden");
  });

  it("a Google identity with no channel: nothing stored, the grant revoked at Google, and the banner says what to do", async () => {
    const { user, browser } = await signedIn();
    const revokesBefore = h.google.control.counters().revoke;
    const { location } = await connectYouTubeFlow(browser, { account: NORA });
    expect(location?.searchParams.get("error")).toBe("no_account");
    expect(location?.searchParams.get("provider")).toBe("youtube");
    expect(await h.db.select().from(socialAccounts).where(eq(socialAccounts.userId, user.id))).toEqual([]);
    expect(h.google.control.counters().revoke - revokesBefore).toBe(1);
    expect(h.google.control.grantedScopes(NORA)).toEqual([]);
    const provider = await youtube();
    const banner = bannerFor({ error: "no_account", provider: "youtube" }, (slug) => (slug === "youtube" ? provider : undefined));
    expect(banner?.message).toBe("This Google account has no YouTube channel — create one or pick your Brand Account channel, then reconnect.");
  });

  it("S72: a reconnect whose channels.list fails after the exchange does not revoke: the channel already connected keeps its grant", async () => {
    const { browser } = await signedIn();
    const accountId = await connectYouTube(browser, { account: ADA });
    const refreshToken = refreshTokenOf((await rowOf(accountId))!);
    const revokesBefore = h.google.control.counters().revoke;
    h.google.control.queueFault("channels", { kind: "status", status: 503 });
    const { location } = await connectYouTubeFlow(browser, { account: ADA });
    expect(location?.searchParams.get("error")).toBe("oauth_failed");
    // Either Google token ends the whole grant: a revoke would have ended the stored connection's.
    expect(h.google.control.counters().revoke - revokesBefore).toBe(0);
    expect(h.google.control.tokenState(refreshToken)).toBe("valid");
    expect(refreshTokenOf((await rowOf(accountId))!)).toBe(refreshToken);
  });

  it("granular consent: an unticked youtube.upload is missing from the stored grant and shown as a permission to grant", async () => {
    const { browser } = await signedIn();
    const accountId = await connectYouTube(browser, { account: ADA, ticked: [READONLY] });
    const row = (await rowOf(accountId))!;
    expect(row.scopes).toEqual([READONLY]);
    const view = toAccountView(row, new Date(), await youtube());
    expect(view.missingScopes).toEqual([{ id: UPLOAD, label: "Upload videos to your channel" }]);
    expect(view.canListVideos).toBe(true);

    // "Grant permission" is a reconnect: Google adds the scope to the grant (include_granted_scopes).
    expect(await connectYouTube(browser, { account: ADA })).toBe(accountId);
    const after = (await rowOf(accountId))!;
    expect(after.scopes).toEqual(expect.arrayContaining([READONLY, UPLOAD]));
    expect(toAccountView(after, new Date(), await youtube()).missingScopes).toEqual([]);
  });
});

describe("tokens over the account's life", () => {
  it("refresh gets a new access token and keeps the stored refresh token (Google sends none)", async () => {
    const { browser } = await signedIn();
    const accountId = await connectYouTube(browser, { account: ADA });
    await refreshedLongAgo(accountId);
    const before = (await rowOf(accountId))!;
    const response = await refreshRoute(post(browser, "refresh", accountId), "youtube");
    expect(response.status).toBe(200);
    expect(h.google.control.counters().tokenByGrant.refresh_token).toBe(1);
    const after = (await rowOf(accountId))!;
    expect(accessTokenOf(after)).not.toBe(accessTokenOf(before));
    expect(refreshTokenOf(after)).toBe(refreshTokenOf(before));
    expect(after).toMatchObject({ status: "ACTIVE", refreshFailures: 0 });
  });

  it("a reconnect whose exchange brings no refresh token (Google leaves it out without a fresh consent) keeps the stored one", async () => {
    const { user, browser } = await signedIn();
    const accountId = await connectYouTube(browser, { account: ADA });
    const before = (await rowOf(accountId))!;
    const saved = await saveConnection(h.db, getTokenCipher(), {
      userId: user.id,
      platform: "YOUTUBE",
      tokens: { accessToken: "ya29.new-access", refreshToken: undefined, expiresIn: 3599, refreshExpiresIn: undefined, scopes: [READONLY, UPLOAD], providerUserId: undefined },
      profile: { providerUserId: before.platformUserId, unionId: undefined, displayName: before.displayName, avatarUrl: undefined },
      scopes: [READONLY, UPLOAD],
      now: new Date(),
    });
    expect(saved).toEqual({ id: accountId, reconnected: true });
    const after = (await rowOf(accountId))!;
    expect(accessTokenOf(after)).toBe("ya29.new-access");
    expect(refreshTokenOf(after)).toBe(refreshTokenOf(before));
  });

  it("S66: a refresh answer with an absurd refresh_token_expires_in is a malformed answer: 500 refresh_failed at once, the failure counted, the lease released", async () => {
    const { browser } = await signedIn();
    const accountId = await connectYouTube(browser, { account: ADA });
    await refreshedLongAgo(accountId);
    const before = (await rowOf(accountId))!;
    const tap = installProviderFetchTap({
      intercept: async (exchange, forward) => {
        if (!exchange.url.pathname.endsWith("/token")) return undefined;
        const real = (await (await forward()).json()) as Record<string, unknown>;
        // Past any date: TikTok's twin of this field is capped at ten years, and so is Google's now.
        return jsonResponse({ ...real, refresh_token_expires_in: 9e12 });
      },
    });
    let response: Response;
    const started = Date.now();
    try {
      response = await refreshRoute(post(browser, "refresh", accountId), "youtube");
    } finally {
      tap.restore();
    }
    // Not the pair store's retries through a write that can never succeed (8 s), nor a lease left held.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "Failed to refresh token", code: "refresh_failed" });
    const after = (await rowOf(accountId))!;
    expect(after).toMatchObject({
      status: "ACTIVE",
      statusReason: "provider_malformed_response",
      refreshFailures: 1,
      refreshLeaseId: null,
      refreshLeaseUntil: null,
      accessToken: before.accessToken,
      tokenExpiry: before.tokenExpiry,
      refreshTokenExpiry: before.refreshTokenExpiry,
    });
  });

  it("time-based access: refresh_token_expires_in is the connection's end, shown on the card and kept through refreshes; past it, reconnect needed", async () => {
    h.google.control.setOptions({ timeLimitedAccessSec: 86_400 });
    const { browser } = await signedIn();
    const accountId = await connectYouTube(browser, { account: ADA });
    const connected = (await rowOf(accountId))!;
    expect(Math.abs(connected.refreshTokenExpiry!.getTime() - (Date.now() + 86_400_000))).toBeLessThan(60_000);
    const view = toAccountView(connected, new Date(), await youtube());
    expect(view).toMatchObject({ refreshTokenEndsSoon: true, connectionEndsAt: connected.refreshTokenExpiry!.toISOString() });

    await refreshedLongAgo(accountId);
    expect((await refreshRoute(post(browser, "refresh", accountId), "youtube")).status).toBe(200);
    const refreshed = (await rowOf(accountId))!;
    expect(Math.abs(refreshed.refreshTokenExpiry!.getTime() - connected.refreshTokenExpiry!.getTime())).toBeLessThan(60_000);

    h.google.control.advanceTime(86_400_000);
    // The sweeper's refresh (the Refresh button is throttled right after the one above).
    expect(await (await getAppServices()).refresher.refresh(accountId, { force: true })).toMatchObject({ status: "expired" });
    expect((await rowOf(accountId))!.status).toBe("EXPIRED");
  });

  it("invalid_grant (the user removed the app at Google) ends access: reconnect needed", async () => {
    const { browser } = await signedIn();
    const accountId = await connectYouTube(browser, { account: ADA });
    h.google.control.revokeGrant(ADA);
    await refreshedLongAgo(accountId);
    const response = await refreshRoute(post(browser, "refresh", accountId), "youtube");
    expect(response.status).toBe(409);
    expect(((await response.json()) as { code: string }).code).toBe("reconnect_required");
    const row = (await rowOf(accountId))!;
    expect(row.status).toBe("EXPIRED");
    expect(toAccountView(row, new Date(), await youtube()).health).toBe("reconnect");
  });

  it("disconnect revokes the grant at Google and deletes the account", async () => {
    const { browser } = await signedIn();
    const accountId = await connectYouTube(browser, { account: ADA });
    const refreshToken = refreshTokenOf((await rowOf(accountId))!);
    const response = await disconnectRoute(post(browser, "disconnect", accountId), "youtube");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ success: true, revoked: true, message: "YouTube account disconnected" });
    expect(h.google.control.tokenState(refreshToken)).toBe("revoked");
    expect(await rowOf(accountId)).toBeUndefined();
  });

  it("a YouTube account is not reached through TikTok's routes", async () => {
    const { browser } = await signedIn();
    const accountId = await connectYouTube(browser, { account: ADA });
    expect((await disconnectRoute(post(browser, "disconnect", accountId), "tiktok")).status).toBe(404);
    expect(await rowOf(accountId)).toBeDefined();
  });
});

describe("recent videos of a channel", () => {
  it("pages of the uploads playlist with an opaque cursor; a reload within a minute spends no quota", async () => {
    const { browser } = await signedIn();
    const accountId = await connectYouTube(browser, { account: ADA });
    const first = await videos(browser, accountId);
    expect(first.status).toBe(200);
    const page = (await first.json()) as { videos: { id: string; shareUrl: string }[]; nextCursor: string | null };
    expect(page.videos).toHaveLength(12);
    expect(page.videos[0]!.shareUrl).toBe(`https://www.youtube.com/watch?v=${page.videos[0]!.id}`);
    expect(typeof page.nextCursor).toBe("string");
    const counters = h.google.control.counters();

    expect((await videos(browser, accountId)).status).toBe(200);
    expect(h.google.control.counters().playlist_items).toBe(counters.playlist_items);

    const second = (await (await videos(browser, accountId, page.nextCursor!)).json()) as { videos: { id: string }[] };
    expect(second.videos.length).toBeGreaterThan(0);
    expect(second.videos.some((v) => page.videos.some((p) => p.id === v.id))).toBe(false);
    // Never search.list: only the uploads playlist and videos.list.
    expect(h.google.control.requestLog().some((e) => e.path.includes("/search"))).toBe(false);
  });

  it("a grant of a broader YouTube scope (youtube, youtube.force-ssl) lists videos like youtube.readonly: Google's read methods accept any of them", async () => {
    const { browser } = await signedIn();
    const accountId = await connectYouTube(browser, { account: ADA });
    for (const scope of ["https://www.googleapis.com/auth/youtube", "https://www.googleapis.com/auth/youtube.force-ssl"]) {
      // As if YOUTUBE_SCOPES had asked for the broader scope: the stored grant holds only it.
      const tokens = h.google.control.issueTokensDirectly({ accountId: ADA, scopes: [scope] });
      await h.db
        .update(socialAccounts)
        .set({ accessToken: getTokenCipher().encrypt(tokens.access_token, tokenAad(accountId, "access_token")), scopes: [scope] })
        .where(eq(socialAccounts.id, accountId));
      const response = await videos(browser, accountId, undefined);
      expect(response.status, scope).toBe(200);
      expect(((await response.json()) as { videos: unknown[] }).videos.length, scope).toBeGreaterThan(0);
      const view = toAccountView((await rowOf(accountId))!, new Date(), await youtube());
      expect(view.canListVideos, scope).toBe(true);
    }
  });

  it("a channel with no uploads yet: an empty page, not an error", async () => {
    const { browser } = await signedIn();
    const accountId = await connectYouTube(browser, { account: BEN });
    const response = await videos(browser, accountId);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ videos: [], nextCursor: null });
  });

  it("a cursor that is no page token is refused before Google sees it; YouTube's quotaExceeded is said in words", async () => {
    const { browser } = await signedIn();
    const accountId = await connectYouTube(browser, { account: ADA });
    const before = h.google.control.counters().playlist_items;
    expect((await videos(browser, accountId, "a b")).status).toBe(400);
    expect(h.google.control.counters().playlist_items).toBe(before);

    h.google.control.queueFault("playlist_items", { kind: "api_error", reason: "quotaExceeded" });
    const response = await videos(browser, accountId, "CAwQAA");
    expect(response.status).toBe(429);
    const body = (await response.json()) as { error: string; code: string };
    expect(body.code).toBe("quota_exhausted");
    expect(body.error).toMatch(/^YouTube's daily limit is reached/);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("stored tokens this deployment cannot decrypt: 503 account_unavailable and UNREADABLE, never a reconnect, nothing sent to Google", async () => {
    const { browser } = await signedIn();
    const accountId = await connectYouTube(browser, { account: ADA });
    // A ciphertext bound to another row: it does not decrypt for this one (as with a missing key).
    const foreign = getTokenCipher().encrypt("not-this-rows-token", tokenAad("another-row", "access_token"));
    await h.db.update(socialAccounts).set({ accessToken: foreign }).where(eq(socialAccounts.id, accountId));
    const before = h.google.control.counters().playlist_items;
    const response = await videos(browser, accountId);
    expect(response.status).toBe(503);
    expect(((await response.json()) as { code: string }).code).toBe("account_unavailable");
    expect((await rowOf(accountId))!.status).toBe("UNREADABLE");
    expect(h.google.control.counters().playlist_items).toBe(before);
  });
});
