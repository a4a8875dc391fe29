import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { TIKTOK_PER_TOKEN_PER_MINUTE, TokenEndpointLimits } from "@/lib/providers/tiktok/token-limits";
import { SlidingWindowLimiter } from "../../sandbox/tiktok/rate-limit";

const redisUrl = process.env.TEST_REDIS_URL;

async function spend(limits: TokenEndpointLimits, accountId: string, endpoint: string, times: number): Promise<number> {
  let allowed = 0;
  for (let i = 0; i < times; i++) if ((await limits.consume(accountId, endpoint)).ok) allowed++;
  return allowed;
}

describe("TikTok's per-token limits, kept before a call leaves", () => {
  it("S61: status/fetch is held to 30 a minute per account, creator_info to 20; accounts are independent", async () => {
    const limits = new TokenEndpointLimits({ keyPrefix: `t:${randomBytes(4).toString("hex")}` });
    expect(await spend(limits, "a1", "status", 45)).toBe(30);
    const refused = await limits.consume("a1", "status");
    expect(refused.ok === false && refused.retryAfterSec).toBeGreaterThan(0);
    expect(refused.ok === false && refused.retryAfterSec).toBeLessThanOrEqual(60);
    expect(await spend(limits, "a1", "creator_info", 25)).toBe(20);
    expect(await spend(limits, "a2", "status", 1)).toBe(1);
    expect(TIKTOK_PER_TOKEN_PER_MINUTE.get("status")).toBe(30);
  });

  it("S61: a refunded point can be spent again; an endpoint without a known limit is not counted", async () => {
    const limits = new TokenEndpointLimits({ keyPrefix: `t:${randomBytes(4).toString("hex")}`, perMinute: new Map([["status", 1]]) });
    expect((await limits.consume("a1", "status")).ok).toBe(true);
    await limits.refund("a1", "status");
    expect((await limits.consume("a1", "status")).ok).toBe(true);
    expect((await limits.consume("a1", "status")).ok).toBe(false);
    expect(await spend(limits, "a1", "constructor", 5)).toBe(5);
  });
});

describe("TikTok's limits are a sliding minute (https://developers.tiktok.com/doc/tiktok-api-v2-rate-limit)", () => {
  afterEach(() => vi.useRealTimers());

  it("every call SocialFlow lets out is one TikTok's sliding window accepts, also across the edge of SocialFlow's own minute", async () => {
    expect(await refusedBySlidingMinute(new TokenEndpointLimits({ keyPrefix: `t:${randomBytes(4).toString("hex")}` }))).toEqual([]);
  });
});

describe("per-token limits while Redis is unreachable", () => {
  it("S61: the app's client failing fast (no offline queue) → counted in memory per instance, never an error", async () => {
    const redis = new Redis("redis://127.0.0.1:1", { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
    redis.on("error", () => {});
    try {
      const limits = new TokenEndpointLimits({ redis, keyPrefix: `t:${randomBytes(4).toString("hex")}` });
      expect(await spend(limits, "a1", "video_init", 10)).toBe(TIKTOK_PER_TOKEN_PER_MINUTE.get("video_init"));
      await limits.refund("a1", "video_init");
      expect((await limits.consume("a1", "video_init")).ok).toBe(true);
    } finally {
      redis.disconnect();
    }
  });
});

/** Runs calls around the edges of a minute; returns the times of those SocialFlow let out and TikTok's sliding window refused. */
async function refusedBySlidingMinute(limits: TokenEndpointLimits): Promise<number[]> {
  const start = Date.UTC(2026, 0, 1);
  vi.useFakeTimers({ toFake: ["Date"], now: start });
  const tiktok = new SlidingWindowLimiter();
  const perMinute = TIKTOK_PER_TOKEN_PER_MINUTE.get("video_init")!;
  const accountId = `a-${randomBytes(4).toString("hex")}`;
  const refused: number[] = [];
  // One call, then the rest of the minute's calls just before it ends, then as many as allowed just after.
  for (const [offsetMs, calls] of [[0, 1], [59_000, perMinute], [61_000, perMinute], [90_000, perMinute], [121_000, perMinute]] as const) {
    vi.setSystemTime(start + offsetMs);
    for (let i = 0; i < calls; i++) {
      if (!(await limits.consume(accountId, "video_init")).ok) continue;
      if (tiktok.hit("video_init", perMinute, Date.now()) > 0) refused.push(offsetMs);
    }
  }
  return refused;
}

describe.skipIf(!redisUrl)("per-token limits shared through Redis", () => {
  const clients: Redis[] = [];
  afterAll(async () => {
    for (const client of clients) client.disconnect();
  });

  it("S61: two instances draw from one minute per account", async () => {
    const keyPrefix = `t:${randomBytes(4).toString("hex")}`;
    const make = () => {
      const redis = new Redis(redisUrl!, { maxRetriesPerRequest: 1 });
      clients.push(redis);
      return new TokenEndpointLimits({ redis, keyPrefix });
    };
    const [a, b] = [make(), make()];
    const allowed = (await spend(a, "acct", "status", 20)) + (await spend(b, "acct", "status", 20));
    expect(allowed).toBe(30);
  });

  it("the shared minute slides too: no burst across its edge that TikTok would refuse", async () => {
    const redis = new Redis(redisUrl!, { maxRetriesPerRequest: 1 });
    clients.push(redis);
    try {
      expect(await refusedBySlidingMinute(new TokenEndpointLimits({ redis, keyPrefix: `t:${randomBytes(4).toString("hex")}` }))).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});
