/**
 * Fault injection per endpoint, counters, the request log, reset, silence.
 */
import { describe, expect, it, vi } from "vitest";
import { sandboxForFile } from "../../kit/test-helpers";
import { ADA, READONLY, connect, exchange, getCode, googleError, reason, refresh, revoke, start, yt } from "./helpers";

const sb = sandboxForFile(() => start());

const mine = "channels?part=id&mine=true";
const issue = () => sb.control.issueTokensDirectly({ accountId: ADA, scopes: READONLY });

describe("faults", () => {
  it("status: 503 for the next N token requests (with Retry-After), then normal; the refresh token is unharmed", async () => {
    const t = issue();
    sb.control.queueFault("token", { kind: "status", status: 503, retryAfterSec: 7 }, 2);
    for (let i = 0; i < 2; i++) {
      const r = await refresh(sb.url, t.refresh_token ?? "");
      expect([r.status, r.headers.get("retry-after")]).toEqual([503, "7"]);
    }
    expect((await refresh(sb.url, t.refresh_token ?? "")).status).toBe(200);
  });

  it("status on a YouTube endpoint: Google's envelope (backendError for 5xx)", async () => {
    sb.control.queueFault("videos", { kind: "status", status: 500 });
    const r = await yt(sb.url, "videos?part=id&id=x", issue().access_token);
    expect([r.status, reason(r)]).toEqual([500, "backendError"]);
  });

  it("hang: no answer (the client times out); close() still returns promptly", async () => {
    const other = await start();
    other.control.queueFault("channels", { kind: "hang" });
    const t = other.control.issueTokensDirectly({ accountId: ADA, scopes: READONLY }).access_token;
    await expect(fetch(`${other.url}/youtube/v3/${mine}`, { headers: { authorization: `Bearer ${t}` }, signal: AbortSignal.timeout(200) })).rejects.toThrow();
    await other.close();
  });

  it("html: a 502 HTML page instead of JSON", async () => {
    sb.control.queueFault("token", { kind: "html" });
    const r = await refresh(sb.url, "x");
    expect([r.status, r.contentType.startsWith("text/html")]).toEqual([502, true]);
  });

  it("malformed_json: 200 application/json that does not parse", async () => {
    sb.control.queueFault("token", { kind: "malformed_json" });
    const r = await refresh(sb.url, "x");
    expect(r.status).toBe(200);
    expect(() => JSON.parse(r.text)).toThrow();
  });

  it("wrong_content_type: the real answer, labelled text/plain", async () => {
    const t = issue();
    sb.control.queueFault("token", { kind: "wrong_content_type" });
    const r = await refresh(sb.url, t.refresh_token ?? "");
    expect(r.contentType).toMatch(/^text\/plain/);
    expect(r.json.access_token).toMatch(/^ya29\./);
  });

  it("delay: the request stays unanswered for a while, then gets the real answer", async () => {
    const { code } = await getCode(sb.url);
    sb.control.queueFault("token", { kind: "delay", ms: 1_000 });
    const pending = exchange(sb.url, code);
    // The request has arrived and is held (status 0 in the log) rather than answered.
    let entry: { endpoint: string; status: number } | undefined;
    while (entry === undefined) {
      await new Promise((r) => setTimeout(r, 5));
      entry = sb.control.requestLog().find((e) => e.endpoint === "token");
    }
    expect(entry.status).toBe(0);
    const r = await pending;
    expect(r.json.access_token).toEqual(expect.any(String));
  });

  it("oauth_error: a flat error with the given status (default 400)", async () => {
    const t = issue();
    sb.control.queueFault("token", { kind: "oauth_error", error: "invalid_grant", description: "Token has been expired or revoked." });
    const a = await refresh(sb.url, t.refresh_token ?? "");
    expect([a.status, a.json]).toEqual([400, { error: "invalid_grant", error_description: "Token has been expired or revoked." }]);
    expect(sb.control.tokenState(t.refresh_token ?? "")).toBe("valid");
    sb.control.queueFault("revoke", { kind: "oauth_error", error: "invalid_token", status: 400 });
    expect((await revoke(sb.url, t.access_token)).json.error).toBe("invalid_token");
    expect(sb.control.accessTokenState(t.access_token)).toBe("valid");
  });

  it("api_error: Google's envelope; status and domain default per reason (quotaExceeded 403, authError 401); 429 → RESOURCE_EXHAUSTED", async () => {
    const t = issue().access_token;
    sb.control.queueFault("channels", { kind: "api_error", reason: "quotaExceeded" });
    sb.control.queueFault("channels", { kind: "api_error", reason: "authError" });
    sb.control.queueFault("channels", { kind: "api_error", reason: "rateLimitExceeded", status: 429 });
    sb.control.queueFault("channels", { kind: "api_error", reason: "rateLimitExceeded" });
    const q = await yt(sb.url, mine, t);
    expect(googleError(q)).toMatchObject({ code: 403, errors: [{ reason: "quotaExceeded", domain: "youtube.quota" }] });
    expect(googleError(q)).not.toHaveProperty("status");
    expect(googleError(await yt(sb.url, mine, t))).toMatchObject({ code: 401, status: "UNAUTHENTICATED", errors: [{ reason: "authError" }] });
    expect(googleError(await yt(sb.url, mine, t))).toMatchObject({ code: 429, status: "RESOURCE_EXHAUSTED", errors: [{ reason: "rateLimitExceeded", domain: "usageLimits" }] });
    expect(googleError(await yt(sb.url, mine, t))).toMatchObject({ code: 403, errors: [{ reason: "rateLimitExceeded" }] });
    expect((await yt(sb.url, mine, t)).status).toBe(200);
  });

  it("faults are per endpoint and FIFO", async () => {
    const t = issue().access_token;
    sb.control.queueFault("playlist_items", { kind: "status", status: 500 });
    expect((await yt(sb.url, mine, t)).status).toBe(200);
    expect((await yt(sb.url, "playlistItems?part=id&playlistId=x", t)).status).toBe(500);
  });

  it("invalid faults are refused", () => {
    expect(() => sb.control.queueFault("token", { kind: "explode" } as never)).toThrow();
    expect(() => sb.control.queueFault("nowhere" as never, { kind: "html" })).toThrow();
    expect(() => sb.control.queueFault("token", { kind: "html" }, 0)).toThrow();
  });
});

describe("counters, request log, reset", () => {
  it("counters count every request per endpoint, failed and faulted ones included, and token requests by grant", async () => {
    const t = await connect(sb.url);
    await refresh(sb.url, "1//0unknown");
    sb.control.queueFault("token", { kind: "status", status: 500 });
    await refresh(sb.url, t.refresh_token ?? "");
    await yt(sb.url, mine, t.access_token);
    await yt(sb.url, "videos?part=id&id=x", t.access_token);
    await revoke(sb.url, t.access_token);
    expect(sb.control.counters()).toEqual({ token: 3, tokenByGrant: { authorization_code: 1, refresh_token: 2 }, revoke: 1, channels: 1, playlist_items: 0, videos: 1 });
  });

  it("the request log has method, path, status and endpoint, and never a secret, code or token", async () => {
    const { code } = await getCode(sb.url);
    const t = (await exchange(sb.url, code)).json as { access_token: string; refresh_token: string };
    await yt(sb.url, mine, t.access_token);
    await fetch(`${sb.url}/revoke?token=${encodeURIComponent(t.refresh_token)}`, { method: "POST" });
    const log = sb.control.requestLog();
    expect(log.map((e) => [e.method, e.path, e.status, e.endpoint])).toEqual([
      ["GET", "/o/oauth2/v2/auth", 200, "authorize"],
      ["POST", "/o/oauth2/v2/auth/account", 200, "authorize_account"],
      ["POST", "/o/oauth2/v2/auth/consent", 302, "authorize_consent"],
      ["POST", "/token", 200, "token"],
      ["GET", "/youtube/v3/channels", 200, "channels"],
      ["POST", "/revoke", 200, "revoke"],
    ]);
    const dump = JSON.stringify(log);
    for (const secret of ["GOCSPX-sandbox_client_secret", code, t.access_token, t.refresh_token, "dBjftJeZ4CVP"]) expect(dump).not.toContain(secret);
  });

  it("reset: tokens, consents, counters, faults, quota, clock and options back to the start-up state", async () => {
    const t = await connect(sb.url);
    sb.control.queueFault("token", { kind: "html" });
    sb.control.setOptions({ dailyQuota: 5 });
    sb.control.advanceTime(1000);
    const before = sb.control.now();
    sb.control.reset();
    expect(sb.control.now()).toBeLessThan(before);
    expect(sb.control.tokenState(t.refresh_token ?? "")).toBe("unknown");
    expect(sb.control.grantedScopes(ADA)).toEqual([]);
    expect(sb.control.counters().token).toBe(0);
    expect(sb.control.requestLog()).toEqual([]);
    expect(sb.control.options().dailyQuota).toBe(10_000);
    expect(sb.control.quota().used).toBe(0);
    expect((await refresh(sb.url, "x")).status).toBe(400);
  });

  it("the server prints nothing", async () => {
    const log = vi.spyOn(console, "log");
    const error = vi.spyOn(console, "error");
    await connect(sb.url);
    await yt(sb.url, mine, issue().access_token);
    expect(log).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
    log.mockRestore();
    error.mockRestore();
  });
});
