/**
 * Stats that move with the sandbox clock (issue #13): user info counts and video counts grow as
 * the clock is advanced, differently per user, the same for the same user; statsTimeScale speeds
 * them up.
 */
import { describe, expect, it } from "vitest";
import { sandboxForFile } from "../../kit/test-helpers";
import { AVA, BEN, api, data, start } from "./helpers";

const YEAR_SEC = 365 * 86_400;
const sb = sandboxForFile(() => start({ accessTokenTtlSec: YEAR_SEC, refreshTokenTtlSec: YEAR_SEC }));
const DAY = 86_400_000;
const STATS = "follower_count,following_count,likes_count,video_count";
const VIDEO_FIELDS = "id,view_count,like_count,comment_count,share_count";

const token = (openId: string) => sb.control.issueTokensDirectly({ openId, scopes: "user.info.basic,user.info.stats,video.list" }).access_token;

async function userStats(accessToken: string): Promise<Record<string, number>> {
  return data<{ user: Record<string, number> }>(await api(sb.url, `/v2/user/info/?fields=${STATS}`, { token: accessToken })).user;
}

async function videoCounts(accessToken: string): Promise<Record<string, number>[]> {
  const r = await api(sb.url, `/v2/video/list/?fields=${VIDEO_FIELDS}`, { token: accessToken, body: { max_count: 20 } });
  return data<{ videos: Record<string, number>[] }>(r).videos;
}

describe("stats over time", () => {
  it("followers and likes grow as the clock moves; following and video count stay", async () => {
    const t = token(AVA);
    const before = await userStats(t);
    sb.control.advanceTime(7 * DAY);
    const after = await userStats(t);
    expect(after.follower_count).toBeGreaterThan(before.follower_count!);
    expect(after.likes_count).toBeGreaterThan(before.likes_count!);
    expect(after.following_count).toBe(before.following_count);
    expect(after.video_count).toBe(before.video_count);
    // Plausible: a week adds 1–7 % (0.2–1 % a day, with the daily swell).
    expect(after.follower_count! / before.follower_count!).toBeLessThan(1.08);
  });

  it("video views grow and likes, comments and shares follow them", async () => {
    const t = token(AVA);
    const before = await videoCounts(t);
    sb.control.advanceTime(3 * DAY);
    const after = await videoCounts(t);
    expect(after.map((v) => v.id)).toEqual(before.map((v) => v.id));
    for (const [i, video] of after.entries()) {
      const old = before[i]!;
      expect(video.view_count).toBeGreaterThan(old.view_count!);
      expect(video.like_count).toBeGreaterThanOrEqual(old.like_count!);
      expect(Number.isInteger(video.view_count)).toBe(true);
      // Likes keep their share of views (one growth factor per video, floored).
      expect(Math.abs(video.like_count! / video.view_count! - old.like_count! / old.view_count!)).toBeLessThan(0.01);
    }
  });

  it("the same user reads the same counts at the same time; two users grow differently", async () => {
    sb.control.advanceTime(10 * DAY);
    const ava = await userStats(token(AVA));
    expect(await userStats(token(AVA))).toEqual(ava);
    const ben = await userStats(token(BEN));
    sb.control.advanceTime(10 * DAY);
    const ava2 = await userStats(token(AVA));
    const ben2 = await userStats(token(BEN));
    expect(ava2.follower_count! / ava.follower_count!).not.toBeCloseTo(ben2.follower_count! / ben.follower_count!, 6);
  });

  it("statsTimeScale speeds stats up against the clock (npm run dev)", async () => {
    const t = token(AVA);
    const slow = await userStats(t);
    sb.control.advanceTime(60_000);
    expect((await userStats(t)).follower_count).toBeLessThanOrEqual(slow.follower_count! + 1);
    sb.control.reset();
    sb.control.setOptions({ statsTimeScale: 1440 });
    const t2 = token(AVA);
    const fast = await userStats(t2);
    sb.control.advanceTime(60_000); // one minute = one day of stats
    expect((await userStats(t2)).follower_count).toBeGreaterThan(fast.follower_count! + 1);
  });
});
