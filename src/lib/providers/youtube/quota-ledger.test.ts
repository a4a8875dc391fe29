import { afterAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { createManualClock } from "@/lib/clock";
import { YouTubeQuotaLedger } from "./quota-ledger";

const redisUrl = process.env.TEST_REDIS_URL;

describe("YouTube quota ledger", () => {
  it("stops at the daily units and starts again at midnight Pacific", async () => {
    const clock = createManualClock(new Date("2026-12-02T07:00:00Z")); // 23:00 in Los Angeles
    const ledger = new YouTubeQuotaLedger({ dailyUnits: 3, clock });
    for (let i = 0; i < 3; i++) expect(await ledger.spend("videos.list")).toEqual({ ok: true });
    expect(await ledger.spend("channels.list")).toEqual({ ok: false, resetAt: new Date("2026-12-02T08:00:00Z") });
    clock.advance(60 * 60_000);
    expect(await ledger.spend("channels.list")).toEqual({ ok: true });
  });

  it("Google's quotaExceeded ends the day at once", async () => {
    const ledger = new YouTubeQuotaLedger({ dailyUnits: 100, clock: createManualClock(new Date("2026-07-01T12:00:00Z")) });
    expect(await ledger.exhaust()).toEqual(new Date("2026-07-02T07:00:00Z"));
    expect((await ledger.spend("playlistItems.list")).ok).toBe(false);
  });

  it("refuses a method it has no cost for (search.list is never used)", async () => {
    await expect(new YouTubeQuotaLedger().spend("search.list")).rejects.toThrow("unknown method");
  });

  describe.skipIf(!redisUrl)("shared through Redis", () => {
    const clients: Redis[] = [];
    afterAll(() => clients.forEach((c) => c.disconnect()));
    it("two instances draw from one day", async () => {
      const keyPrefix = `yq:${randomBytes(4).toString("hex")}`;
      const clock = createManualClock(new Date("2026-12-01T20:00:00Z"));
      const make = async () => {
        const redis = new Redis(redisUrl!, { maxRetriesPerRequest: 1 });
        clients.push(redis);
        await new Promise<void>((resolve) => (redis.status === "ready" ? resolve() : redis.once("ready", () => resolve())));
        return new YouTubeQuotaLedger({ dailyUnits: 5, redis, keyPrefix, clock });
      };
      const [a, b] = [await make(), await make()];
      let ok = 0;
      for (let i = 0; i < 4; i++) for (const ledger of [a, b]) if ((await ledger.spend("videos.list")).ok) ok++;
      expect(ok).toBe(5);
    });
  });
});
