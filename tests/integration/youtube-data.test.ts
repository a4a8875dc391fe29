/**
 * The YouTube data plane (channel profile, recent videos, the API client's error handling and
 * quota ledger) against the Google sandbox's YouTube Data API, started in process.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createManualClock } from "@/lib/clock";
import { YouTubeApiClient, YouTubeCallError, type AccessTokenSource } from "@/lib/providers/youtube/api-client";
import { channelProfile } from "@/lib/providers/youtube/profile";
import { recentVideos } from "@/lib/providers/youtube/videos";
import { YouTubeQuotaLedger } from "@/lib/providers/youtube/quota-ledger";
import { nextPacificMidnight } from "@/lib/providers/youtube/pacific-day";
import { youTubeCallMessage } from "@/lib/providers/youtube/messages";
import { startGoogleSandbox, type RunningGoogleSandbox } from "../../sandbox/google";
import { ADA, ADA_BRAND, BEN, NORA, READONLY, UPLOAD } from "../../sandbox/google/tests/helpers";

let sb: RunningGoogleSandbox;
const START = new Date("2026-10-01T12:00:00Z");

beforeAll(async () => {
  sb = await startGoogleSandbox({ port: 0, now: () => START.getTime() });
});
afterAll(() => sb.close());
beforeEach(() => sb.control.reset());

function setup(options: { dailyUnits?: number } = {}) {
  const clock = createManualClock(START);
  const ledger = new YouTubeQuotaLedger({ dailyUnits: options.dailyUnits, clock });
  return { clock, ledger, api: new YouTubeApiClient({ apiBaseUrl: sb.url, ledger, clock }) };
}

const tokenFor = (accountId: string, scopes: string[] = [READONLY, UPLOAD]) => sb.control.issueTokensDirectly({ accountId, scopes });
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as YouTubeCallError);
const apiCalls = () => sb.control.counters();

describe("channel profile (channels.list?mine=true)", () => {
  it("a personal channel: id, title, handle, sandbox-served avatar, counts from strings, uploads playlist", async () => {
    const { api } = setup();
    const profile = await channelProfile(api, tokenFor(ADA).access_token);
    const channel = sb.control.users().find((u) => u.id === ADA)!.channel!;
    expect(profile).toEqual({
      providerUserId: channel.id,
      unionId: undefined,
      displayName: "Ada Makes Things",
      handle: "@adamakesthings",
      avatarUrl: expect.stringMatching(new RegExp(`^${sb.url}/`)),
      subscriberCount: 1230,
      videoCount: 30,
      viewCount: expect.any(Number),
      uploadsPlaylistId: `UU${channel.id.slice(2)}`,
    });
  });

  it("a Brand Account channel whose owner hides the subscriber count: subscriberCount undefined", async () => {
    const profile = await channelProfile(setup().api, tokenFor(ADA_BRAND).access_token);
    expect(profile).toMatchObject({ displayName: "Ada's Workshop", subscriberCount: undefined, videoCount: 8 });
  });

  it("a Google identity with no channel (no `items` key) is a distinct noChannel answer", async () => {
    expect(await channelProfile(setup().api, tokenFor(NORA).access_token)).toEqual({ noChannel: true });
  });
});

describe("recent videos (uploads playlist, then videos.list)", () => {
  it("a page of VideoViews newest first, with ISO durations, hidden likes as 0, shares 0, an opaque cursor; 2 units a page; never search", async () => {
    const { api } = setup();
    const token = tokenFor(ADA).access_token;
    const profile = await channelProfile(api, token);
    if ("noChannel" in profile) throw new Error("channel expected");
    const before = apiCalls();
    const page = await recentVideos(api, token, profile.uploadsPlaylistId!, { maxResults: 12 });
    expect(apiCalls().playlist_items - before.playlist_items).toBe(1);
    expect(apiCalls().videos - before.videos).toBe(1);
    expect(page.videos).toHaveLength(12);
    expect(typeof page.nextCursor).toBe("string");
    const [first] = page.videos;
    expect(first).toEqual({
      id: expect.any(String),
      title: expect.any(String),
      coverUrl: expect.stringMatching(new RegExp(`^${sb.url}/vi/`)),
      shareUrl: `https://www.youtube.com/watch?v=${first!.id}`,
      createdAt: "2026-09-01T" + first!.createdAt!.slice(11),
      durationSec: expect.any(Number),
      views: expect.any(Number),
      likes: expect.any(Number),
      comments: expect.any(Number),
      shares: 0,
    });
    expect(page.videos.map((v) => v.durationSec)).toContain(3725); // PT1H2M5S
    expect(page.videos.map((v) => v.durationSec)).toContain(45); // PT45S
    const dates = page.videos.map((v) => v.createdAt).filter(Boolean) as string[];
    expect([...dates].sort().reverse()).toEqual(dates);

    const next = await recentVideos(api, token, profile.uploadsPlaylistId!, { pageToken: page.nextCursor!, maxResults: 12 });
    expect(next.videos.map((v) => v.id)).not.toContain(first!.id);
    expect(sb.control.requestLog().map((r) => r.path).filter((p) => p.includes("search"))).toEqual([]);
    expect(sb.control.quota().used).toBe(5);
  });

  it("an empty channel (404 playlistNotFound) is an empty page, not an error", async () => {
    const { api } = setup();
    const token = tokenFor(BEN).access_token;
    const profile = await channelProfile(api, token);
    if ("noChannel" in profile) throw new Error("channel expected");
    expect(await recentVideos(api, token, profile.uploadsPlaylistId!)).toEqual({ videos: [], nextCursor: null });
  });

  it("a cursor that is not a page token is refused before anything is sent or spent", async () => {
    const { api } = setup();
    const before = apiCalls().playlist_items;
    const error = await failure(recentVideos(api, tokenFor(ADA).access_token, "UUabc", { pageToken: "x&mine=true" }));
    expect(error).toMatchObject({ code: "rejected" });
    expect(apiCalls().playlist_items).toBe(before);
  });
});

describe("the API client: quota ledger and YouTube's error envelope", () => {
  it("quota exhausted at SocialFlow's ledger: refused before Google is asked, with the Pacific reset time", async () => {
    const { api } = setup({ dailyUnits: 1 });
    const token = tokenFor(ADA).access_token;
    await channelProfile(api, token);
    const before = apiCalls().channels;
    const error = await failure(channelProfile(api, token));
    expect(error).toBeInstanceOf(YouTubeCallError);
    expect(error).toMatchObject({ code: "quota_exhausted", details: { resetAt: nextPacificMidnight(START) } });
    expect(apiCalls().channels).toBe(before);
    expect(youTubeCallMessage(error!)).toContain("YouTube's daily limit is reached");
  });

  it("quota exhausted at Google (403 quotaExceeded): the ledger closes the day for every later call", async () => {
    const { api, clock } = setup();
    const token = tokenFor(ADA).access_token;
    sb.control.setQuotaUsed(sb.control.quota().limit);
    const error = await failure(channelProfile(api, token));
    expect(error).toMatchObject({ code: "quota_exhausted", details: { reason: "quotaExceeded", resetAt: nextPacificMidnight(START) } });
    const before = apiCalls().channels;
    expect(await failure(channelProfile(api, token))).toMatchObject({ code: "quota_exhausted" });
    expect(apiCalls().channels).toBe(before);
    // After midnight Pacific both days start again.
    clock.set(nextPacificMidnight(START));
    sb.control.advanceTime(nextPacificMidnight(START).getTime() - START.getTime());
    expect(await channelProfile(api, tokenFor(ADA).access_token)).toMatchObject({ displayName: "Ada Makes Things" });
  });

  it("authError with a refreshable source: one refresh, one retry; a second authError → reconnect_required", async () => {
    const { api } = setup();
    let refreshes = 0;
    const source: AccessTokenSource = {
      current: async () => "ya29.expired-or-revoked",
      refresh: async () => {
        refreshes++;
        return tokenFor(ADA).access_token;
      },
    };
    expect(await channelProfile(api, source)).toMatchObject({ displayName: "Ada Makes Things" });
    expect(refreshes).toBe(1);

    sb.control.queueFault("channels", { kind: "api_error", reason: "authError" }, 2);
    const error = await failure(channelProfile(api, { current: async () => tokenFor(ADA).access_token, refresh: async () => tokenFor(ADA).access_token }));
    expect(error).toMatchObject({ code: "reconnect_required", details: { reason: "authError", status: 401 } });
    expect(youTubeCallMessage(error!)).toContain("7 days");
  });

  it("authError with a plain token (revoked by the user at Google) → reconnect_required, no loop", async () => {
    const { api } = setup();
    const token = tokenFor(ADA).access_token;
    sb.control.revokeGrant(ADA);
    const before = apiCalls().channels;
    expect(await failure(channelProfile(api, token))).toMatchObject({ code: "reconnect_required" });
    expect(apiCalls().channels - before).toBe(1);
  });

  it("insufficientPermissions (youtube.readonly not granted) → grant_permission", async () => {
    const { api } = setup();
    const error = await failure(channelProfile(api, tokenFor(ADA, [UPLOAD]).access_token));
    expect(error).toMatchObject({ code: "grant_permission", details: { reason: "insufficientPermissions" } });
    expect(youTubeCallMessage(error!)).toContain("Grant permission");
  });

  it("rateLimitExceeded → rate_limited, and nothing is sent (or spent) for a minute", async () => {
    const { api, clock, ledger } = setup({ dailyUnits: 10 });
    const token = tokenFor(ADA).access_token;
    sb.control.queueFault("channels", { kind: "api_error", reason: "rateLimitExceeded" });
    expect(await failure(channelProfile(api, token))).toMatchObject({ code: "rate_limited", details: { retryAfterSec: 60 } });
    const before = apiCalls().channels;
    expect(await failure(channelProfile(api, token))).toMatchObject({ code: "rate_limited" });
    expect(apiCalls().channels).toBe(before);
    clock.advance(60_000);
    expect(await channelProfile(api, token)).toMatchObject({ displayName: "Ada Makes Things" });
    // 1 (limited) + 1 (after the wait): the refused call spent nothing.
    for (let i = 0; i < 8; i++) expect((await ledger.spend("videos.list")).ok).toBe(true);
    expect((await ledger.spend("videos.list")).ok).toBe(false);
  });

  it("S83: userRateLimitExceeded (one user's limit at Google) → rate_limited for that call, and other channels' calls are still sent", async () => {
    const { api } = setup();
    sb.control.queueFault("channels", { kind: "api_error", reason: "userRateLimitExceeded" });
    expect(await failure(channelProfile(api, tokenFor(ADA).access_token))).toMatchObject({ code: "rate_limited", details: { retryAfterSec: 60 } });
    const before = apiCalls().channels;
    expect(await channelProfile(api, tokenFor(BEN).access_token)).toMatchObject({ providerUserId: expect.stringMatching(/^UC/) });
    expect(apiCalls().channels).toBe(before + 1);
  });

  it("5xx, garbage and an unreachable Google → youtube_unavailable; Google's HTML message is never kept", async () => {
    const { api } = setup();
    const token = tokenFor(ADA).access_token;
    for (const fault of [{ kind: "status", status: 503 }, { kind: "html" }, { kind: "malformed_json" }] as const) {
      sb.control.queueFault("channels", fault);
      expect(await failure(channelProfile(api, token))).toMatchObject({ code: "youtube_unavailable" });
    }
    sb.control.queueFault("channels", { kind: "api_error", reason: "quotaExceeded" });
    const quota = await failure(channelProfile(api, token));
    expect(JSON.stringify({ m: quota!.message, d: quota!.details })).not.toMatch(/href|<a|ya29/);
    const offline = new YouTubeApiClient({ apiBaseUrl: sb.url, ledger: new YouTubeQuotaLedger(), fetch: () => Promise.reject(new TypeError("fetch failed")) });
    expect(await failure(channelProfile(offline, token))).toMatchObject({ code: "youtube_unavailable" });
  });
});
