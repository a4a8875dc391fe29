/**
 * The HTTP control API under /__sandbox/ (what Playwright uses from another process).
 */
import { describe, expect, it } from "vitest";
import { controlRequest, sandboxForFile } from "../../kit/test-helpers";
import { ADA, NORA, READONLY, authorizeParams, connect, consent, exchange, getCode, refresh, start, yt } from "./helpers";

const sb = sandboxForFile(() => start());

const ctl = (method: string, route: string, body?: unknown) => controlRequest(sb.url, method, route, body);

describe("control API over HTTP", () => {
  it("GET /__sandbox/ lists the routes; GET / names the endpoints", async () => {
    const r = await ctl("GET", "");
    expect((r.json as { routes: string[] }).routes.length).toBeGreaterThan(15);
    const root = (await (await fetch(`${sb.url}/`)).json()) as Record<string, string>;
    expect(root).toMatchObject({ authorize: `${sb.url}/o/oauth2/v2/auth`, token: `${sb.url}/token`, revoke: `${sb.url}/revoke`, youtubeApiBase: sb.url });
  });

  it("POST /__sandbox/options sets options (validated), GET returns them; POST /__sandbox/reset", async () => {
    const r = await ctl("POST", "options", { dailyQuota: 7, accessTokenTtlSec: 60, issParameter: true });
    expect(r.json).toMatchObject({ dailyQuota: 7, accessTokenTtlSec: 60, issParameter: true, refreshTokenCap: 100 });
    expect((await ctl("GET", "options")).json).toMatchObject({ dailyQuota: 7 });
    expect((await ctl("POST", "options", { rateLimitStatus: 418 })).status).toBe(400);
    expect((await ctl("POST", "options", { noSuchOption: true })).status).toBe(400);
    expect((await ctl("POST", "reset")).status).toBe(200);
    expect(sb.control.options().dailyQuota).toBe(10_000);
  });

  it("POST/GET/DELETE /__sandbox/faults", async () => {
    expect((await ctl("POST", "faults", { endpoint: "token", fault: { kind: "status", status: 503 }, times: 2 })).status).toBe(200);
    expect((await ctl("GET", "faults")).json).toMatchObject({ pending: [{ endpoint: "token", remaining: 2 }] });
    expect((await refresh(sb.url, "x")).status).toBe(503);
    expect((await ctl("DELETE", "faults")).status).toBe(200);
    expect((await refresh(sb.url, "x")).status).toBe(400);
    expect((await ctl("POST", "faults", { endpoint: "token", fault: { kind: "bogus" } })).status).toBe(400);
    expect((await ctl("POST", "faults", { endpoint: "channels", fault: { kind: "api_error", reason: "quotaExceeded" } })).status).toBe(200);
  });

  it("POST /__sandbox/issue-tokens, token-state (GET and POST), revoke-grant, grants", async () => {
    const issued = (await ctl("POST", "issue-tokens", { accountId: ADA, scopes: `openid ${READONLY}` })).json as { access_token: string; refresh_token: string; id_token: string };
    expect(issued.refresh_token).toMatch(/^1\/\/0/);
    expect(issued.id_token).toEqual(expect.any(String));
    expect((await ctl("GET", `token-state?${new URLSearchParams({ refresh_token: issued.refresh_token })}`)).json).toEqual({ state: "valid" });
    expect((await ctl("POST", "token-state", { accessToken: issued.access_token })).json).toEqual({ state: "valid" });
    expect((await ctl("GET", `grants?account=${ADA}`)).json).toEqual({ scopes: [`openid`, READONLY] });
    expect((await ctl("POST", "revoke-grant", { accountId: ADA })).json).toEqual({ ok: true, revokedGrants: 1 });
    expect((await ctl("POST", "token-state", { refreshToken: issued.refresh_token })).json).toEqual({ state: "revoked" });
    expect((await ctl("GET", "token-state?refresh_token=nope")).json).toEqual({ state: "unknown" });
    expect((await ctl("POST", "issue-tokens", { accountId: ADA, scopes: "drive" })).status).toBe(400);
    const online = (await ctl("POST", "issue-tokens", { accountId: ADA, scopes: [READONLY], offline: false })).json;
    expect(online).not.toHaveProperty("refresh_token");
  });

  it("POST /__sandbox/advance-time and GET /__sandbox/now move the sandbox clock (access tokens expire after 3599 s)", async () => {
    const t = await connect(sb.url);
    const before = ((await ctl("GET", "now")).json as { now: number }).now;
    const r = (await ctl("POST", "advance-time", { ms: 3_599_000 })).json as { now: number };
    expect(r.now - before).toBeGreaterThanOrEqual(3_599_000);
    expect((await yt(sb.url, "channels?part=id&mine=true", t.access_token)).status).toBe(401);
    expect((await ctl("POST", "advance-time", { ms: -1 })).status).toBe(400);
  });

  it("GET /__sandbox/counters and /__sandbox/requests; control calls are not counted or logged", async () => {
    await refresh(sb.url, "x");
    await ctl("GET", "users");
    expect(((await ctl("GET", "counters")).json as { token: number }).token).toBe(1);
    expect(((await ctl("GET", "requests")).json as { path: string }[]).map((e) => e.path)).toEqual(["/token"]);
  });

  it("GET /__sandbox/users returns the seeded accounts with their channels", async () => {
    const users = (await ctl("GET", "users")).json as { id: string; email: string; hd?: string; managedBy?: string; channel?: { title: string; videoCount: number; brand: boolean } }[];
    expect(users.map((u) => [u.id, u.channel?.title ?? null, u.channel?.videoCount ?? null, u.channel?.brand ?? null, u.managedBy ?? null, u.hd ?? null])).toEqual([
      ["gsb-ada-0001", "Ada Makes Things", 30, false, null, null],
      ["gsb-adabrand-0002", "Ada's Workshop", 8, true, "gsb-ada-0001", null],
      ["gsb-ben-0003", "Ben Just Started", 0, false, null, "studio.example"],
      ["gsb-nora-0004", null, null, null, null, null],
    ]);
  });

  it("POST /__sandbox/users adds test accounts to the chooser (each with a channel), chosen there like the seeded ones", async () => {
    expect((await consent(sb.url, authorizeParams(), { account: "load-0001" })).status).toBe(400);
    expect(await ctl("POST", "users", { accountIds: ["load-0001", "load-0002", "load-0001", ADA] })).toEqual({ status: 200, json: { ok: true, users: 6 } });
    const page = await (await fetch(`${sb.url}/o/oauth2/v2/auth?${authorizeParams()}`)).text();
    expect(page).toContain('value="load-0002"');
    const cb = await getCode(sb.url, authorizeParams(), { account: "load-0002" });
    expect(cb.params.get("authuser")).toBe("4");
    const t = (await exchange(sb.url, cb.code)).json as { access_token: string };
    const ch = await yt(sb.url, "channels?part=snippet&mine=true", t.access_token);
    expect((ch.json.items as { snippet: { title: string } }[])[0]?.snippet.title).toMatch(/^Load Channel [0-9a-f]{6}$/);
    expect((await ctl("POST", "users", { accountIds: [] })).status).toBe(400);
    expect((await ctl("POST", "users", { accountIds: ["bad id"] })).status).toBe(400);
    sb.control.reset();
    expect((await ctl("GET", "users")).json).toHaveLength(4);
  });

  it("GET and POST /__sandbox/quota", async () => {
    const t = sb.control.issueTokensDirectly({ accountId: NORA, scopes: READONLY }).access_token;
    await yt(sb.url, "channels?part=id&mine=true", t);
    expect((await ctl("GET", "quota")).json).toMatchObject({ projectId: "socialflow-sandbox", used: 1, limit: 10_000 });
    expect((await ctl("POST", "quota", { used: 10_000 })).json).toMatchObject({ used: 10_000 });
    expect((await yt(sb.url, "channels?part=id&mine=true", t)).status).toBe(403);
    expect((await ctl("POST", "quota", { used: -1 })).status).toBe(400);
  });

  it("unknown control route → 404; malformed JSON → 400", async () => {
    expect((await ctl("GET", "nope")).status).toBe(404);
    const res = await fetch(`${sb.url}/__sandbox/options`, { method: "POST", body: "{", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
  });
});
