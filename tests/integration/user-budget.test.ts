import { afterAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { UserBudget } from "@/lib/connections/user-budget";

const redisUrl = process.env.TEST_REDIS_URL;

describe("per-user budget (in memory)", () => {
  it("S35: allows the per-minute budget, then refuses with a retry time; users are independent", async () => {
    const budget = new UserBudget({ perMinute: 2, perDay: 100 });
    expect(await budget.consume("u1")).toEqual({ ok: true });
    expect(await budget.consume("u1")).toEqual({ ok: true });
    const refused = await budget.consume("u1");
    expect(refused.ok).toBe(false);
    expect(refused.ok === false && refused.retryAfterSec).toBeGreaterThan(0);
    expect(refused.ok === false && refused.retryAfterSec).toBeLessThanOrEqual(60);
    expect(await budget.consume("u2")).toEqual({ ok: true });
  });

  it("S35: the daily budget holds even when the minute budget has room", async () => {
    const budget = new UserBudget({ perMinute: 100, perDay: 3 });
    for (let i = 0; i < 3; i++) expect((await budget.consume("u1")).ok).toBe(true);
    const refused = await budget.consume("u1");
    expect(refused.ok === false && refused.retryAfterSec).toBeGreaterThan(60);
  });
});

describe.skipIf(!redisUrl)("per-user budget shared through Redis", () => {
  const clients: Redis[] = [];
  const connect = (url: string) => {
    const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    client.on("error", () => {});
    clients.push(client);
    return client;
  };
  afterAll(async () => {
    for (const c of clients) c.disconnect();
  });

  it("S35: two instances share one budget", async () => {
    const prefix = `sf:test:${randomBytes(4).toString("hex")}`;
    const a = connect(redisUrl!);
    const b = connect(redisUrl!);
    await Promise.all([a.connect(), b.connect()]);
    const one = new UserBudget({ perMinute: 3, perDay: 100, redis: a, keyPrefix: prefix });
    const two = new UserBudget({ perMinute: 3, perDay: 100, redis: b, keyPrefix: prefix });
    expect((await one.consume("u")).ok).toBe(true);
    expect((await two.consume("u")).ok).toBe(true);
    expect((await one.consume("u")).ok).toBe(true);
    expect((await two.consume("u")).ok).toBe(false);
  });

  it("Redis unreachable → each instance falls back to its own memory limits (documented direction), never throws", async () => {
    const dead = connect("redis://127.0.0.1:6399");
    const budget = new UserBudget({ perMinute: 2, perDay: 100, redis: dead, keyPrefix: "sf:test:dead" });
    expect((await budget.consume("u")).ok).toBe(true);
    expect((await budget.consume("u")).ok).toBe(true);
    expect((await budget.consume("u")).ok).toBe(false);
  });
});
