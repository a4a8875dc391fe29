import { expect, test } from "./helpers";

/**
 * On the real `next start`: pages get their headers from src/proxy.ts, the API from apiRoute
 * (the proxy skips /api). Both must hold on every answer, whatever the path.
 */
test.describe("Security headers and request ids on the real server", () => {
  test("pages and API answers alike: CSP, nosniff, DENY framing and an x-request-id; OAuth routes no-referrer and no-store", async ({ request }) => {
    const answers = {
      page: await request.get("/login"),
      health: await request.get("/api/health"),
      unknownApiPath: await request.get("/api/no-such-route/x"),
      refreshSignedOut: await request.post("/api/oauth/tiktok/refresh", { data: { accountId: "x" }, headers: { origin: "http://localhost" } }),
      callbackWithoutState: await request.get("/api/oauth/tiktok/callback?code=c", { maxRedirects: 0 }),
    };
    for (const [name, answer] of Object.entries(answers)) {
      const headers = answer.headers();
      expect(headers["content-security-policy"], name).toContain("frame-ancestors 'none'");
      expect(headers["x-content-type-options"], name).toBe("nosniff");
      expect(headers["x-frame-options"], name).toBe("DENY");
      expect(headers["x-request-id"], name).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(answers.page.status()).toBe(200);
    expect(answers.health.status()).toBe(200);
    expect(answers.unknownApiPath.status()).toBe(404);
    expect(await answers.unknownApiPath.json()).toEqual({ error: "Not found", code: "not_found" });
    expect(answers.callbackWithoutState.status()).toBe(303);
    for (const oauth of [answers.refreshSignedOut, answers.callbackWithoutState]) {
      expect(oauth.headers()["referrer-policy"]).toBe("no-referrer");
      expect(oauth.headers()["cache-control"]).toBe("no-store, no-transform");
    }
  });

  test("a well-formed incoming request id is kept, on pages and on the API; a malformed one is replaced", async ({ request }) => {
    const kept = "lb-trace-0123456789";
    for (const path of ["/login", "/api/health"]) {
      expect((await request.get(path, { headers: { "x-request-id": kept } })).headers()["x-request-id"], path).toBe(kept);
      const replaced = (await request.get(path, { headers: { "x-request-id": 'bad" id' } })).headers()["x-request-id"];
      expect(replaced, path).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
