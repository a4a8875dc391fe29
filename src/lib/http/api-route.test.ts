import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { config as proxyConfig } from "@/proxy";
import { currentRequestId } from "@/lib/observability/request-context";
import { API_ROUTE, apiRoute } from "./api-route";

const get = (path: string, headers: Record<string, string> = {}) => new Request(`http://localhost:3000${path}`, { headers });

describe("apiRoute", () => {
  it("gives the handler a request id its log lines carry, echoes it, and puts the security headers on the answer", async () => {
    let seen: string | undefined;
    const route = apiRoute(() => {
      seen = currentRequestId();
      return Response.json({ ok: true }, { headers: { "Cache-Control": "no-store, no-transform" } });
    });
    const response = await route(get("/api/accounts/a1/videos"), undefined);
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen).toBe(id);
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("cache-control")).toBe("no-store, no-transform"); // the handler's own, kept
    expect(await response.json()).toEqual({ ok: true });
    expect((await route(get("/api/accounts/a1/videos"), undefined)).headers.get("x-request-id")).not.toBe(id); // one per request
  });

  it("keeps a well-formed incoming request id; replaces one that could forge or break a log line", async () => {
    const route = apiRoute(() => new Response(null, { status: 204 }));
    const kept = "3f2a9c1e-trace.42:abc";
    expect((await route(get("/api/health", { "x-request-id": kept }), undefined)).headers.get("x-request-id")).toBe(kept);
    for (const bad of ["short", "x".repeat(200), 'a" injected="1', "{\"level\":60}"]) {
      const id = (await route(get("/api/health", { "x-request-id": bad }), undefined)).headers.get("x-request-id");
      expect(id, bad).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("S40: OAuth routes answer with no-referrer and no-store", async () => {
    const response = await apiRoute(() => new Response("x"))(get("/api/oauth/tiktok/authorize"), undefined);
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("cache-control")).toBe("no-store, no-transform");
  });

  it("an answer with immutable headers (Response.redirect) is copied, status, location and body kept", async () => {
    const response = await apiRoute(() => Response.redirect("http://localhost:3000/settings/accounts", 303))(get("/api/oauth/tiktok/callback"), undefined);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("http://localhost:3000/settings/accounts");
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("follows the environment: https turns HSTS on", async () => {
    const route = apiRoute(() => new Response("x"));
    const before = process.env.NEXT_PUBLIC_APP_URL;
    try {
      process.env.NEXT_PUBLIC_APP_URL = "https://socialflow.example";
      expect((await route(get("/api/health"), undefined)).headers.get("strict-transport-security")).toContain("max-age=");
      process.env.NEXT_PUBLIC_APP_URL = "http://localhost:3000";
      expect((await route(get("/api/health"), undefined)).headers.get("strict-transport-security")).toBeNull();
    } finally {
      if (before === undefined) delete process.env.NEXT_PUBLIC_APP_URL;
      else process.env.NEXT_PUBLIC_APP_URL = before;
    }
  });
});

describe("the API skips src/proxy.ts, so every API handler must be an apiRoute", () => {
  it("the proxy runs for pages and not for the API or Next's build assets", () => {
    const matches = (url: string) => unstable_doesMiddlewareMatch({ config: proxyConfig, url });
    for (const page of ["/", "/settings/accounts", "/sign-in?next=%2Fdashboard", "/accounts/a1/analytics"]) expect(matches(page), page).toBe(true);
    for (const skipped of ["/api/health", "/api/oauth/tiktok/callback?code=x", "/api/accounts/a1/uploads/u1/file", "/api/nope", "/_next/static/chunks/a.js"]) {
      expect(matches(skipped), skipped).toBe(false);
    }
  });

  it("every HTTP method exported by a route under src/app/api is wrapped", async () => {
    const root = join(process.cwd(), "src/app/api");
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith("route.ts")).map((f) => join(root, f));
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const file of files) {
      const exported = (await import(file)) as Record<string, unknown>;
      const methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].filter((m) => m in exported);
      expect(methods.length, relative(root, file)).toBeGreaterThan(0);
      for (const method of methods) expect((exported[method] as { [API_ROUTE]?: boolean })[API_ROUTE], `${relative(root, file)} ${method}`).toBe(true);
    }
  });

  it("a path no API route has answers a JSON 404 with the API's headers, not Next's HTML page", async () => {
    const { GET, POST } = await import("@/app/api/[...unknown]/route");
    for (const route of [GET, POST]) {
      const response = await route(get("/api/nope/<script>"), undefined as never);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: "Not found", code: "not_found" });
      expect(response.headers.get("content-security-policy")).toContain("default-src");
      expect(response.headers.get("x-request-id")).toBeTruthy();
    }
  });
});
