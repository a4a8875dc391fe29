/**
 * The HTTP control API under /__sandbox/ (what Playwright uses from another process).
 */
import { describe, expect, it } from "vitest";
import { controlRequest, sandboxForFile } from "../../kit/test-helpers";
import { AVA, api, authorizeParams, connect, consent, errorCode, exchange, getCode, refresh, start } from "./helpers";

const sb = sandboxForFile(() => start());

const ctl = (method: string, route: string, body?: unknown) => controlRequest(sb.url, method, route, body);

describe("control API over HTTP", () => {
  it("GET /__sandbox/ lists the routes", async () => {
    const r = await ctl("GET", "");
    expect(r.status).toBe(200);
    expect((r.json as { routes: string[] }).routes.length).toBeGreaterThan(10);
  });

  it("POST /__sandbox/options sets options (validated), GET returns them", async () => {
    const r = await ctl("POST", "options", { oauthErrorStatus: 200, pkceMode: "hex", rateLimits: { user_info: 3 } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ oauthErrorStatus: 200, pkceMode: "hex", rateLimits: { user_info: 3, video_list: 600 } });
    expect((await ctl("GET", "options")).json).toMatchObject({ pkceMode: "hex" });
    expect((await ctl("POST", "options", { oauthErrorStatus: 418 })).status).toBe(400);
    expect((await ctl("POST", "options", { noSuchOption: true })).status).toBe(400);
  });

  it("POST /__sandbox/reset", async () => {
    await ctl("POST", "options", { oauthErrorStatus: 200 });
    expect((await ctl("POST", "reset")).status).toBe(200);
    expect(sb.control.options().oauthErrorStatus).toBe(400);
  });

  it("POST/GET/DELETE /__sandbox/faults", async () => {
    expect((await ctl("POST", "faults", { endpoint: "token", fault: { kind: "status", status: 503 }, times: 2 })).status).toBe(200);
    expect((await ctl("GET", "faults")).json).toMatchObject({ pending: [{ endpoint: "token", remaining: 2 }] });
    expect((await refresh(sb.url, "x")).status).toBe(503);
    expect((await ctl("DELETE", "faults")).status).toBe(200);
    expect((await refresh(sb.url, "x")).status).toBe(400);
    expect((await ctl("POST", "faults", { endpoint: "token", fault: { kind: "bogus" } })).status).toBe(400);
  });

  it("POST /__sandbox/issue-tokens, GET and POST /__sandbox/token-state, POST /__sandbox/revoke-grant", async () => {
    const issued = (await ctl("POST", "issue-tokens", { openId: AVA, scopes: "user.info.basic,video.list" })).json as { access_token: string; refresh_token: string };
    expect(issued.refresh_token).toMatch(/^rft\./);
    const q = new URLSearchParams({ refresh_token: issued.refresh_token });
    expect((await ctl("GET", `token-state?${q}`)).json).toEqual({ state: "valid" });
    expect((await ctl("POST", "token-state", { accessToken: issued.access_token })).json).toEqual({ state: "valid" });
    expect((await ctl("POST", "revoke-grant", { openId: AVA })).json).toMatchObject({ ok: true, revokedGrants: 1 });
    expect((await ctl("POST", "token-state", { refreshToken: issued.refresh_token })).json).toEqual({ state: "revoked" });
    expect((await ctl("GET", "token-state?refresh_token=nope")).json).toEqual({ state: "unknown" });
    expect((await ctl("POST", "issue-tokens", { openId: AVA, scopes: "video.delete" })).status).toBe(400);
  });

  it("POST /__sandbox/advance-time and GET /__sandbox/now move the sandbox clock", async () => {
    const t = await connect(sb.url);
    const before = ((await ctl("GET", "now")).json as { now: number }).now;
    const r = (await ctl("POST", "advance-time", { ms: 86_400_000 })).json as { now: number };
    expect(r.now - before).toBeGreaterThanOrEqual(86_400_000);
    expect(errorCode(await api(sb.url, "/v2/user/info/?fields=open_id", { token: t.access_token }))).toBe("access_token_invalid");
    expect((await ctl("POST", "advance-time", { ms: -1 })).status).toBe(400);
  });

  it("GET /__sandbox/counters and /__sandbox/requests; control calls are not counted or logged", async () => {
    await refresh(sb.url, "x");
    await ctl("GET", "users");
    const c = (await ctl("GET", "counters")).json as { token: number; tokenByGrant: { refresh_token: number } };
    expect(c.token).toBe(1);
    expect(c.tokenByGrant.refresh_token).toBe(1);
    const log = (await ctl("GET", "requests")).json as { path: string }[];
    expect(log.map((e) => e.path)).toEqual(["/v2/oauth/token/"]);
  });

  it("GET /__sandbox/users returns the three seeded users", async () => {
    const users = (await ctl("GET", "users")).json as { openId: string; displayName: string; isPrivate: boolean; videoCount: number }[];
    expect(users.map((u) => [u.openId, u.displayName, u.isPrivate, u.videoCount])).toEqual([
      ["sbx-ava-0001", "Ava Sandbox", false, 25],
      ["sbx-ben-0002", "Ben Private", true, 27],
      ["sbx-cleo-0003", "Cleo Empty", false, 0],
    ]);
  });

  it("POST /__sandbox/users adds test accounts: listed after the seeded ones, on the consent page, and chosen there like them", async () => {
    expect((await consent(sb.url, authorizeParams(), { openId: "load-0001" })).status).toBe(400);
    const added = await ctl("POST", "users", { openIds: ["load-0001", "load-0002", "load-0001", AVA] });
    expect(added).toEqual({ status: 200, json: { ok: true, users: 5 } });
    const users = (await ctl("GET", "users")).json as { openId: string; displayName: string }[];
    expect(users.map((u) => u.openId)).toEqual(["sbx-ava-0001", "sbx-ben-0002", "sbx-cleo-0003", "load-0001", "load-0002"]);
    expect(users[3]!.displayName).toMatch(/^Load User [0-9a-f]{6}$/);

    const page = await (await fetch(`${sb.url}/v2/auth/authorize/?${authorizeParams()}`)).text();
    expect(page).toContain('value="load-0002"');
    const { code } = await getCode(sb.url, authorizeParams(), { openId: "load-0002" });
    const tokens = await exchange(sb.url, code);
    expect(tokens.json).toMatchObject({ open_id: "load-0002" });

    expect((await ctl("POST", "users", { openIds: [] })).status).toBe(400);
    expect((await ctl("POST", "users", { openIds: ["bad id with spaces"] })).status).toBe(400);
    sb.control.reset();
    expect((await ctl("GET", "users")).json).toHaveLength(3);
  });

  it("POST /__sandbox/fail-upload and GET /__sandbox/uploads/<publishId>", async () => {
    const t = sb.control.issueTokensDirectly({ openId: AVA, scopes: "user.info.basic,video.upload" });
    const init = await api(sb.url, "/v2/post/publish/inbox/video/init/", {
      token: t.access_token,
      body: { source_info: { source: "FILE_UPLOAD", video_size: 1000, chunk_size: 1000, total_chunk_count: 1 } },
    });
    const { publish_id } = init.json.data as { publish_id: string };
    expect((await ctl("POST", "fail-upload", { publishId: publish_id, failReason: "duration_check_failed" })).status).toBe(200);
    sb.control.advanceTime(0);
    const info = (await ctl("GET", `uploads/${encodeURIComponent(publish_id)}`)).json;
    expect(info).toMatchObject({ publishId: publish_id, kind: "inbox", videoSize: 1000, receivedBytes: 0, status: "PROCESSING_UPLOAD" });
    expect((await ctl("POST", "fail-upload", { publishId: "nope", failReason: "x" })).status).toBe(404);
    expect((await ctl("GET", "uploads/nope")).status).toBe(404);
  });

  it("unknown control route → 404; malformed JSON → 400", async () => {
    expect((await ctl("GET", "nope")).status).toBe(404);
    const res = await fetch(`${sb.url}/__sandbox/options`, { method: "POST", body: "{", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
  });
});
