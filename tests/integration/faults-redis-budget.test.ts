/**
 * Fault: Redis going away MID-RUN under the per-user TikTok budget, then coming back
 * (issue 7, item 3; docs/security.md S35). The app's own Redis client (`getRedis`) reaches the
 * real Redis through a loopback TCP proxy. The documented direction (src/lib/connections/
 * user-budget.ts, docs/observability.md): while Redis is unreachable each instance counts
 * alone in memory — limits loosen to at most N× across N instances, a call is never refused
 * or failed merely because Redis is down — and once Redis is back the shared counters apply
 * again. Skipped without TEST_REDIS_URL.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { getRedis } from "@/lib/redis/client";
import { metricValue } from "@/lib/observability/metrics";
import { UserBudget, type BudgetDecision } from "@/lib/connections/user-budget";
import { startTcpProxy, targetOf, type TcpProxy } from "../helpers/tcp-proxy";

const redisUrl = process.env.TEST_REDIS_URL;
const PER_MINUTE = 3;

describe.skipIf(!redisUrl)("faults: Redis going away mid-run under the per-user budget (real Redis through a TCP proxy)", { timeout: 30_000 }, () => {
  let proxy: TcpProxy;
  let appClient: Redis;
  let direct: Redis;

  beforeAll(async () => {
    proxy = await startTcpProxy(targetOf(redisUrl!, 6379));
    // The app's client factory: lazy connect, no offline queue, fast failure, reconnects.
    appClient = await getRedis(proxy.urlFor(redisUrl!));
    direct = new Redis(redisUrl!, { lazyConnect: true, maxRetriesPerRequest: 1 });
    direct.on("error", () => {});
    await direct.connect();
    await until(() => appClient.status === "ready", "the app's Redis client to connect");
  });
  afterAll(async () => {
    appClient?.disconnect();
    direct?.disconnect();
    await proxy?.close();
  });

  async function until(condition: () => boolean, what: string, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** One consume, which must answer (never throw) and answer promptly even with Redis gone. */
  async function consume(budget: UserBudget, userId: string): Promise<BudgetDecision> {
    const started = Date.now();
    const decision = await budget.consume(userId);
    expect(Date.now() - started).toBeLessThan(1_000);
    return decision;
  }
  const oks = async (budget: UserBudget, userId: string, n: number) => {
    const decisions: BudgetDecision[] = [];
    for (let i = 0; i < n; i++) decisions.push(await consume(budget, userId));
    return decisions.map((d) => d.ok);
  };

  it("S35: shared counters → Redis gone (per-instance memory limits, no errors) → Redis back (shared counters again)", async () => {
    const prefix = `sf:test:fault:${randomBytes(4).toString("hex")}`;
    const instanceA = new UserBudget({ perMinute: PER_MINUTE, perDay: 1000, redis: appClient, keyPrefix: prefix });
    const instanceB = new UserBudget({ perMinute: PER_MINUTE, perDay: 1000, redis: direct, keyPrefix: prefix });

    // 1. Redis up: two calls counted in Redis, where another instance sees them.
    expect(await oks(instanceA, "u", 2)).toEqual([true, true]);
    expect(Number(await direct.get(`${prefix}:min:u`))).toBe(2);

    // 2. Redis goes away mid-run (every connection reset, reconnects refused).
    const fallbacksBefore = metricValue("sf_budget_redis_unavailable_total");
    const refusalsBefore = metricValue("sf_budget_refusals_total", { window: "min" });
    proxy.block();
    await until(() => appClient.status !== "ready", "the app's client to notice");
    // This instance now counts alone, from zero, up to its own per-minute limit; then refuses
    // with a Retry-After like any budget refusal. Nothing throws, nothing hangs.
    const duringOutage = await oks(instanceA, "u", PER_MINUTE + 2);
    expect(duringOutage).toEqual([...Array(PER_MINUTE).fill(true), false, false]);
    const refused = await consume(instanceA, "u");
    expect(refused.ok === false && refused.retryAfterSec).toBeGreaterThan(0);
    // Another user on this instance is unaffected by the first one's memory count.
    expect(await oks(instanceA, "other", 1)).toEqual([true]);
    // An operator sees both: checks made without Redis, and the local 429s.
    expect(metricValue("sf_budget_redis_unavailable_total") - fallbacksBefore).toBe(PER_MINUTE + 4);
    expect(metricValue("sf_budget_refusals_total", { window: "min" }) - refusalsBefore).toBe(3);
    // Redis itself never saw those calls, and the client keeps trying to get back to it.
    expect(Number(await direct.get(`${prefix}:min:u`))).toBe(2);
    await proxy.waitFor((s) => s.refused > 0);

    // 3. Redis is back: the app's client reconnects by itself and the shared count applies again.
    proxy.unblock();
    await until(() => appClient.status === "ready", "the app's client to reconnect");
    expect(await oks(instanceA, "u", 2)).toEqual([true, false]); // 2 in Redis + 1 = the limit
    expect(await oks(instanceB, "u", 1)).toEqual([false]); // and the other instance agrees
    expect(metricValue("sf_budget_redis_unavailable_total") - fallbacksBefore).toBe(PER_MINUTE + 4); // none since
  });

  it("S35: the connection dies in the middle of the budget's own Redis command → that call still gets an answer", async () => {
    const prefix = `sf:test:fault:${randomBytes(4).toString("hex")}`;
    const budget = new UserBudget({ perMinute: PER_MINUTE, perDay: 1000, redis: appClient, keyPrefix: prefix });
    await until(() => appClient.status === "ready", "the app's client to be connected");
    expect(await oks(budget, "v", 1)).toEqual([true]);
    // Cut exactly when the next counting command (rate-limiter-flexible's Lua script) is sent.
    let cutOn = "";
    proxy.setCutWhen((chunk) => {
      const text = chunk.toString("latin1").toLowerCase();
      if (text.includes("evalsha") || text.includes("eval") || text.includes("incr")) {
        cutOn = text.includes("evalsha") ? "evalsha" : text.includes("eval") ? "eval" : "incr";
        return true;
      }
      return false;
    });
    try {
      expect(await oks(budget, "v", 1)).toEqual([true]);
      expect(cutOn).not.toBe("");
    } finally {
      proxy.setCutWhen(undefined);
      proxy.unblock();
    }
    await until(() => appClient.status === "ready", "the app's client to reconnect");
    expect(await oks(budget, "v", 1)).toEqual([true]);
  });
});
