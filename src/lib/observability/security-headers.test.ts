import { describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { proxy } from "@/proxy";
import { headerPolicyFromEnv, securityHeadersFromEnv } from "./header-policy";
import { contentSecurityPolicy, securityHeaders, type HeaderPolicyInput } from "./security-headers";

const sandboxDev: HeaderPolicyInput = { appUrl: "http://localhost:3000", apiBaseUrls: ["http://127.0.0.1:4010", "http://127.0.0.1:4011"], development: true };
const production: HeaderPolicyInput = { appUrl: "https://socialflow.example", apiBaseUrls: ["https://open.tiktokapis.com", "https://www.googleapis.com"], development: false };

/** `directive → values`, failing on a directive given twice (browsers ignore the second). */
function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(";").map((p) => p.trim()).filter(Boolean)) {
    const [name, ...values] = part.split(/\s+/);
    expect(directives.has(name!), `${name} given twice`).toBe(false);
    directives.set(name!, values);
  }
  return directives;
}

describe("Content-Security-Policy", () => {
  it("locks everything to this origin, forbids framing, plugins, base and foreign form targets", () => {
    for (const input of [sandboxDev, production]) {
      const csp = parseCsp(contentSecurityPolicy(input));
      expect(csp.get("default-src")).toEqual(["'self'"]);
      expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
      expect(csp.get("object-src")).toEqual(["'none'"]);
      expect(csp.get("base-uri")).toEqual(["'self'"]);
      expect(csp.get("form-action")).toEqual(["'self'"]);
      expect(csp.get("connect-src")).toContain("'self'");
      // Next.js's inline bootstrap needs these without nonces; nothing wider than 'self' for scripts.
      expect(csp.get("script-src")).toEqual(expect.arrayContaining(["'self'", "'unsafe-inline'"]));
      expect(csp.get("script-src")!.filter((v) => !v.startsWith("'"))).toEqual([]);
      expect(csp.get("style-src")).toEqual(["'self'", "'unsafe-inline'"]);
      expect(contentSecurityPolicy(input)).not.toMatch(/[\r\n]/);
    }
  });

  it("images: self, https and data:, plus each sandbox's http origin (avatars, covers, thumbnails) when an API is plain http", () => {
    expect(parseCsp(contentSecurityPolicy(sandboxDev)).get("img-src")).toEqual(["'self'", "https:", "data:", "http://127.0.0.1:4010", "http://127.0.0.1:4011"]);
    expect(parseCsp(contentSecurityPolicy(production)).get("img-src")).toEqual(["'self'", "https:", "data:"]);
    // Only the origin: a path or credentials in the configured URL never reach the header.
    const odd = contentSecurityPolicy({ ...sandboxDev, apiBaseUrls: ["http://user:pw@127.0.0.1:4011/some/path"] });
    expect(parseCsp(odd).get("img-src")).toContain("http://127.0.0.1:4011");
    expect(odd).not.toContain("pw");
  });

  it("media: self and blob: (the upload form's preview of the chosen file), nothing remote", () => {
    for (const input of [sandboxDev, production]) {
      expect(parseCsp(contentSecurityPolicy(input)).get("media-src")).toEqual(["'self'", "blob:"]);
    }
    // blob: is for media only: scripts, frames and workers stay on 'self' (default-src).
    const csp = parseCsp(contentSecurityPolicy(production));
    for (const d of ["default-src", "script-src", "img-src", "connect-src"]) expect(csp.get(d)).not.toContain("blob:");
  });

  it("eval and websockets only for the development server; https upgrades insecure requests", () => {
    expect(parseCsp(contentSecurityPolicy(sandboxDev)).get("script-src")).toContain("'unsafe-eval'");
    expect(parseCsp(contentSecurityPolicy({ ...sandboxDev, development: false })).get("script-src")).not.toContain("'unsafe-eval'");
    expect(parseCsp(contentSecurityPolicy(production)).get("connect-src")).toEqual(["'self'"]);
    expect(parseCsp(contentSecurityPolicy(production)).has("upgrade-insecure-requests")).toBe(true);
    expect(parseCsp(contentSecurityPolicy(sandboxDev)).has("upgrade-insecure-requests")).toBe(false);
  });
});

describe("security headers per path", () => {
  it("every response: CSP, nosniff, DENY framing, strict-origin-when-cross-origin", () => {
    for (const path of ["/", "/settings/accounts", "/api/auth/sign-in/email", "/api/accounts/x/videos", "/api/oauthx"]) {
      const headers = securityHeaders(path, sandboxDev);
      expect(headers["Content-Security-Policy"]).toBe(contentSecurityPolicy(sandboxDev));
      expect(headers["X-Content-Type-Options"]).toBe("nosniff");
      expect(headers["X-Frame-Options"]).toBe("DENY");
      expect(headers["Referrer-Policy"]).toBe("strict-origin-when-cross-origin");
      expect(headers["Cache-Control"]).toBeUndefined();
    }
  });

  it("S40: every OAuth route: Referrer-Policy no-referrer and Cache-Control no-store", () => {
    for (const path of ["/api/oauth", "/api/oauth/tiktok/authorize", "/api/oauth/tiktok/callback", "/api/oauth/tiktok/refresh", "/api/oauth/tiktok/disconnect"]) {
      const headers = securityHeaders(path, production);
      expect(headers["Referrer-Policy"], path).toBe("no-referrer");
      expect(headers["Cache-Control"], path).toBe("no-store, no-transform");
    }
  });

  it("HSTS only when the app is served over https", () => {
    expect(securityHeaders("/", production)["Strict-Transport-Security"]).toBe("max-age=31536000; includeSubDomains");
    expect(securityHeaders("/", sandboxDev)["Strict-Transport-Security"]).toBeUndefined();
  });

  it("the policy's inputs come from the runtime environment with the app's defaults", () => {
    expect(headerPolicyFromEnv({ NODE_ENV: "production" } as NodeJS.ProcessEnv)).toEqual({
      appUrl: "http://localhost:3000",
      apiBaseUrls: ["https://open.tiktokapis.com"],
      development: false,
    });
    expect(
      headerPolicyFromEnv({
        NODE_ENV: "development",
        NEXT_PUBLIC_APP_URL: "https://a.example/",
        TIKTOK_API_BASE_URL: "http://127.0.0.1:4010/",
        YOUTUBE_API_BASE_URL: "http://127.0.0.1:4011",
      } as NodeJS.ProcessEnv),
    ).toEqual({ appUrl: "https://a.example", apiBaseUrls: ["http://127.0.0.1:4010", "http://127.0.0.1:4011"], development: true });
  });
});

describe("securityHeadersFromEnv (the proxy's and apiRoute's headers)", () => {
  it("answers exactly what securityHeaders computes for the path and the environment, and follows a changed environment", () => {
    const paths = ["/", "/settings/accounts", "/api/health", "/api/accounts/a1/videos", "/api/oauth", "/api/oauth/tiktok/callback", "/api/oauthx"];
    const environments = [
      { NODE_ENV: "production", NEXT_PUBLIC_APP_URL: "https://socialflow.example" },
      { NODE_ENV: "development", NEXT_PUBLIC_APP_URL: "http://localhost:3000", TIKTOK_API_BASE_URL: "http://127.0.0.1:4010" },
      { NODE_ENV: "production", NEXT_PUBLIC_APP_URL: "https://socialflow.example", YOUTUBE_API_BASE_URL: "http://127.0.0.1:4011" },
    ] as NodeJS.ProcessEnv[];
    for (const env of [...environments, environments[0]!]) {
      for (const path of paths) expect(securityHeadersFromEnv(path, env), `${path} ${JSON.stringify(env)}`).toEqual(securityHeaders(path, headerPolicyFromEnv(env)));
    }
  });
});

describe("src/proxy.ts", () => {
  const run = (path: string, headers: Record<string, string> = {}) => proxy(new NextRequest(`http://localhost:3000${path}`, { headers }));

  it("puts the security headers on the response and an x-request-id on both the request and the response", () => {
    const response = run("/settings/accounts");
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // NextResponse.next({ request: { headers } }) hands the route this header.
    expect(response.headers.get("x-middleware-request-x-request-id")).toBe(id);
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(run("/settings/accounts").headers.get("x-request-id")).not.toBe(id); // one per request
  });

  it("keeps a well-formed incoming request id; replaces one that could forge or break a log line", () => {
    const kept = "3f2a9c1e-trace.42:abc";
    expect(run("/", { "x-request-id": kept }).headers.get("x-request-id")).toBe(kept);
    for (const bad of ["short", "x".repeat(200), 'a" injected="1', "id with spaces", "{\"level\":60}", "ümlaut-12345"]) {
      const id = run("/", { "x-request-id": bad }).headers.get("x-request-id");
      expect(id, bad).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  // The API does not pass through the proxy: src/lib/http/api-route.test.ts covers its headers.
});
