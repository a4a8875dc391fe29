import { afterEach, describe, expect, it, vi } from "vitest";

// What Next's server does before loading any app module: its request stores need the real
// AsyncLocalStorage on globalThis (without it Next builds an inert stand-in).
vi.hoisted(() => {
  const g = globalThis as unknown as { AsyncLocalStorage?: unknown };
  g.AsyncLocalStorage ??= process.getBuiltinModule("node:async_hooks").AsyncLocalStorage;
});
import { workUnitAsyncStorage } from "next/dist/server/app-render/work-unit-async-storage.external";
import { createLogger } from "@/lib/log/logger";
import { metricsAccess } from "./metrics-access";
import { incrementMetric, metricsLogFields, metricValue, renderPrometheus, resetMetricsForTests } from "./metrics";
import { withRequestContext } from "./request-context";

afterEach(() => resetMetricsForTests());

describe("metrics", () => {
  it("counts per label set and renders Prometheus text with HELP/TYPE for every counter", () => {
    incrementMetric("sf_oauth_callbacks_total", { outcome: "success" });
    incrementMetric("sf_oauth_callbacks_total", { outcome: "success" });
    incrementMetric("sf_oauth_callbacks_total", { outcome: "invalid_state" });
    incrementMetric("sf_sweep_claimed_total", {}, 40);
    expect(metricValue("sf_oauth_callbacks_total", { outcome: "success" })).toBe(2);
    const text = renderPrometheus();
    expect(text).toContain('sf_oauth_callbacks_total{outcome="success"} 2\n');
    expect(text).toContain('sf_oauth_callbacks_total{outcome="invalid_state"} 1\n');
    expect(text).toContain("sf_sweep_claimed_total 40\n");
    expect(text).toContain("# TYPE sf_token_refreshes_total counter\nsf_token_refreshes_total 0\n");
    expect(metricsLogFields()).toMatchObject({ "sf_oauth_callbacks_total{outcome=success}": 2, sf_sweep_claimed_total: 40 });
  });

  it("a label value outside the safe alphabet is recorded as 'other' (no injection into the exposition)", () => {
    incrementMetric("sf_token_refresh_failures_total", { reason: 'x"} 1\nsf_evil 99' });
    const text = renderPrometheus();
    expect(text).toContain('sf_token_refresh_failures_total{reason="other"} 1');
    expect(text).not.toContain("sf_evil");
  });
});

describe("GET /api/metrics access", () => {
  it("open in development and test, closed in production without METRICS_TOKEN, bearer token when set", () => {
    expect(metricsAccess(null, { token: undefined, production: false })).toBe("ok");
    expect(metricsAccess(null, { token: undefined, production: true })).toBe("disabled");
    const env = { token: "s3cret-metrics-token", production: true };
    expect(metricsAccess(null, env)).toBe("unauthorized");
    expect(metricsAccess("Bearer wrong", env)).toBe("unauthorized");
    expect(metricsAccess("Basic s3cret-metrics-token", env)).toBe("unauthorized");
    expect(metricsAccess("Bearer s3cret-metrics-token", env)).toBe("ok");
  });
});

describe("request ids in log lines", () => {
  const lines: string[] = [];
  const logger = createLogger({ level: "info", destination: { write: (l: string) => void lines.push(l) } });
  const last = () => JSON.parse(lines.at(-1)!) as Record<string, unknown>;

  it("a line written while serving a request carries its id; others carry none", async () => {
    logger.info({ event: "outside" });
    expect(last().requestId).toBeUndefined();
    await withRequestContext("req-12345678", async () => {
      await new Promise((r) => setTimeout(r, 1));
      logger.info({ event: "inside" });
    });
    expect(last()).toMatchObject({ event: "inside", requestId: "req-12345678" });
  });

  it("inside a Next.js route handler, the id comes from the x-request-id header the proxy set", () => {
    const store = { type: "request", headers: new Headers({ "x-request-id": "from-the-proxy-42" }) };
    workUnitAsyncStorage.run(store as never, () => logger.warn({ event: "in_route" }));
    expect(last()).toMatchObject({ event: "in_route", requestId: "from-the-proxy-42" });
  });
});

describe("errors in log lines", () => {
  const lines: string[] = [];
  const logger = createLogger({ level: "info", destination: { write: (l: string) => void lines.push(l) } });
  const lastErr = () => (JSON.parse(lines.at(-1)!) as { err?: unknown }).err;

  it("err is { type, errorCode } whether the call site passes the error or safeError(error) — never { type: 'object' } nor a censored code", async () => {
    const { safeError } = await import("@/lib/log/logger");
    const error = Object.assign(new Error("secret-detail act.token"), { name: "OAuthFlowError", code: "invalid_state" });
    logger.error({ event: "a", err: error });
    expect(lastErr()).toEqual({ type: "OAuthFlowError", errorCode: "invalid_state" });
    logger.error({ event: "b", err: safeError(error) });
    expect(lastErr()).toEqual({ type: "OAuthFlowError", errorCode: "invalid_state" });
    logger.error({ event: "b2", err: safeError(new Error("no code")) });
    expect(lastErr()).toEqual({ type: "Error" });
    // A look-alike carrying anything else is still reduced to its class.
    logger.error({ event: "c", err: { type: "x", code: "y", token: "act.secret" } });
    expect(lastErr()).toEqual({ type: "object" });
    expect(lines.join("")).not.toContain("secret");
  });
});
