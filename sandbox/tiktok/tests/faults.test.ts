/**
 * Fault injection (docs/security.md S17–S20, S32), counters, request log, reset.
 */
import { describe, expect, it } from "vitest";
import { sandboxForFile } from "../../kit/test-helpers";
import { AVA, api, connect, errorCode, exchange, getCode, refresh, revoke, start } from "./helpers";

const sb = sandboxForFile(() => start());

async function raw(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text(), headers: res.headers };
}

function refreshInit(refreshToken: string): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_key: "sandbox_client_key", client_secret: "sandbox_client_secret", grant_type: "refresh_token", refresh_token: refreshToken }).toString(),
  };
}

describe("faults", () => {
  it("fault status: 503 for the next N token requests, then normal; the refresh token is not consumed", async () => {
    const t = await connect(sb.url);
    sb.control.queueFault("token", { kind: "status", status: 503, retryAfterSec: 2 }, 2);
    const a = await raw(`${sb.url}/v2/oauth/token/`, refreshInit(t.refresh_token));
    expect(a.status).toBe(503);
    expect(a.headers.get("retry-after")).toBe("2");
    expect((await raw(`${sb.url}/v2/oauth/token/`, refreshInit(t.refresh_token))).status).toBe(503);
    expect(sb.control.tokenState(t.refresh_token)).toBe("valid");
    expect((await refresh(sb.url, t.refresh_token)).status).toBe(200);
  });

  it("fault status 500 on a data-plane endpoint is a wrapped internal_error", async () => {
    const t = sb.control.issueTokensDirectly({ openId: AVA, scopes: "user.info.basic" });
    sb.control.queueFault("user_info", { kind: "status", status: 500 });
    const r = await api(sb.url, "/v2/user/info/?fields=open_id", { token: t.access_token });
    expect([r.status, errorCode(r)]).toEqual([500, "internal_error"]);
  });

  it("fault hang: no answer (client times out); close() still returns promptly", async () => {
    const other = await start();
    other.control.queueFault("token", { kind: "hang" });
    const started = Date.now();
    await expect(fetch(`${other.url}/v2/oauth/token/`, { ...refreshInit("rft.x"), signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    // A second hung request still open while closing.
    other.control.queueFault("user_info", { kind: "hang" });
    const pending = fetch(`${other.url}/v2/user/info/?fields=open_id`).catch((e: unknown) => e);
    for (let i = 0; i < 200 && !other.control.requestLog().some((e) => e.endpoint === "user_info"); i++) await new Promise((r) => setTimeout(r, 10));
    const closing = Date.now();
    await other.close();
    expect(Date.now() - closing).toBeLessThan(2_000);
    expect(await pending).toBeInstanceOf(Error);
    expect(other.control.requestLog().find((e) => e.endpoint === "user_info")?.status).toBe(0);
  });

  it("fault html: 200 text/html", async () => {
    sb.control.queueFault("token", { kind: "html" });
    const r = await raw(`${sb.url}/v2/oauth/token/`, refreshInit("x"));
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/html/);
    expect(r.text).toMatch(/^<!DOCTYPE html>/);
  });

  it("fault malformed_json: 200 application/json that does not parse", async () => {
    sb.control.queueFault("token", { kind: "malformed_json" });
    const r = await raw(`${sb.url}/v2/oauth/token/`, refreshInit("x"));
    expect(r.type).toMatch(/^application\/json/);
    expect(() => JSON.parse(r.text) as unknown).toThrow();
  });

  it("fault json_array: a top-level JSON array", async () => {
    sb.control.queueFault("token", { kind: "json_array" });
    const r = await raw(`${sb.url}/v2/oauth/token/`, refreshInit("x"));
    expect(Array.isArray(JSON.parse(r.text))).toBe(true);
  });

  it("fault wrong_content_type: the real answer, labelled text/plain", async () => {
    const t = await connect(sb.url);
    sb.control.queueFault("token", { kind: "wrong_content_type" });
    const r = await raw(`${sb.url}/v2/oauth/token/`, refreshInit(t.refresh_token));
    expect(r.type).toMatch(/^text\/plain/);
    expect((JSON.parse(r.text) as { access_token: string }).access_token).toMatch(/^act\./);
  });

  it("fault oauth_error: flat error, default status = oauthErrorStatus, or the given one", async () => {
    const t = await connect(sb.url);
    sb.control.queueFault("token", { kind: "oauth_error", error: "invalid_grant" });
    const a = await refresh(sb.url, t.refresh_token);
    expect([a.status, a.json.error]).toEqual([400, "invalid_grant"]);
    expect(sb.control.tokenState(t.refresh_token)).toBe("valid");
    sb.control.setOptions({ oauthErrorStatus: 200 });
    sb.control.queueFault("revoke", { kind: "oauth_error", error: "invalid_client" });
    const b = await revoke(sb.url, t.access_token);
    expect([b.status, b.json.error]).toEqual([200, "invalid_client"]);
    sb.control.queueFault("token", { kind: "oauth_error", error: "invalid_request", status: 401 });
    expect((await refresh(sb.url, t.refresh_token)).status).toBe(401);
  });

  it("fault api_error: wrapped error with the given code and status", async () => {
    const t = sb.control.issueTokensDirectly({ openId: AVA, scopes: "user.info.basic,video.list" });
    sb.control.queueFault("video_list", { kind: "api_error", code: "rate_limit_exceeded", status: 429 });
    const r = await api(sb.url, "/v2/video/list/?fields=id", { token: t.access_token, body: {} });
    expect([r.status, errorCode(r)]).toEqual([429, "rate_limit_exceeded"]);
    expect(r.json.data).toEqual({});
    expect((await api(sb.url, "/v2/video/list/?fields=id", { token: t.access_token, body: {} })).status).toBe(200);
  });

  it("fault api_error without a status uses TikTok's status for that code (spam_risk_too_many_posts → 403)", async () => {
    const t = sb.control.issueTokensDirectly({ openId: AVA, scopes: "user.info.basic,video.publish" });
    sb.control.queueFault("video_init", { kind: "api_error", code: "spam_risk_too_many_posts" });
    const r = await api(sb.url, "/v2/post/publish/video/init/", { token: t.access_token, body: {} });
    expect([r.status, errorCode(r)]).toEqual([403, "spam_risk_too_many_posts"]);
  });

  it("fault delay: the real answer after the delay", async () => {
    const { code } = await getCode(sb.url);
    sb.control.queueFault("token", { kind: "delay", ms: 250 });
    const started = Date.now();
    const r = await exchange(sb.url, code);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(r.json.access_token).toEqual(expect.any(String));
  });

  it("fault upload_url: the real init answer (publish created) pointing the video elsewhere", async () => {
    const t = sb.control.issueTokensDirectly({ openId: AVA, scopes: "user.info.basic,video.upload" });
    const source = { source: "FILE_UPLOAD", video_size: 1024, chunk_size: 1024, total_chunk_count: 1 };
    sb.control.queueFault("inbox_init", { kind: "upload_url", url: "http://169.254.169.254/latest/" });
    const init = await api(sb.url, "/v2/post/publish/inbox/video/init/", { token: t.access_token, body: { source_info: source } });
    expect([init.status, errorCode(init)]).toEqual([200, "ok"]);
    const data = init.json.data as { upload_url: string; publish_id: string };
    expect(data.upload_url).toBe("http://169.254.169.254/latest/");
    expect(sb.control.upload(data.publish_id)).toMatchObject({ kind: "inbox", receivedBytes: 0 });
    // Used up: the next init answers with the sandbox's own upload URL again.
    const next = await api(sb.url, "/v2/post/publish/inbox/video/init/", { token: t.access_token, body: { source_info: source } });
    expect((next.json.data as { upload_url: string }).upload_url.startsWith(`${sb.url}/upload/`)).toBe(true);
  });

  it("fault status on upload: the chunk is not accepted and can be retried", async () => {
    const t = sb.control.issueTokensDirectly({ openId: AVA, scopes: "user.info.basic,video.upload" });
    const body = new Uint8Array(1024 * 1024);
    const init = await api(sb.url, "/v2/post/publish/inbox/video/init/", {
      token: t.access_token,
      body: { source_info: { source: "FILE_UPLOAD", video_size: body.length, chunk_size: body.length, total_chunk_count: 1 } },
    });
    const { upload_url, publish_id } = init.json.data as { upload_url: string; publish_id: string };
    const put = () => fetch(upload_url, { method: "PUT", headers: { "content-type": "video/mp4", "content-range": `bytes 0-${body.length - 1}/${body.length}` }, body });
    sb.control.queueFault("upload", { kind: "status", status: 503 });
    expect((await put()).status).toBe(503);
    expect(sb.control.upload(publish_id)?.receivedBytes).toBe(0);
    expect((await put()).status).toBe(201);
  });

  it("invalid faults are refused", () => {
    expect(() => sb.control.queueFault("token", { kind: "explode" } as never)).toThrow();
    expect(() => sb.control.queueFault("nowhere" as never, { kind: "html" })).toThrow();
    expect(() => sb.control.queueFault("token", { kind: "html" }, 0)).toThrow();
  });
});

describe("counters, request log, reset", () => {
  it("counters count every request, failed and faulted ones included, and token requests by grant", async () => {
    const t = await connect(sb.url);
    await refresh(sb.url, "rft.unknown");
    sb.control.queueFault("token", { kind: "status", status: 500 });
    await refresh(sb.url, t.refresh_token);
    await revoke(sb.url, t.access_token);
    await api(sb.url, "/v2/user/info/?fields=open_id", { token: t.access_token });
    const c = sb.control.counters();
    expect(c.token).toBe(3);
    expect(c.tokenByGrant).toEqual({ authorization_code: 1, refresh_token: 2 });
    expect(c.revoke).toBe(1);
    expect(c.user_info).toBe(1);
    expect(c.video_list).toBe(0);
  });

  it("the request log has method, path, status and endpoint, and never a secret, code or token", async () => {
    const { code } = await getCode(sb.url);
    const r = await exchange(sb.url, code);
    const t = r.json as { access_token: string; refresh_token: string };
    await api(sb.url, "/v2/user/info/?fields=open_id", { token: t.access_token });
    const log = sb.control.requestLog();
    expect(log.map((e) => [e.method, e.path, e.status, e.endpoint])).toEqual([
      ["GET", "/v2/auth/authorize/", 200, "authorize"],
      ["POST", "/v2/auth/authorize/decision", 302, "authorize_decision"],
      ["POST", "/v2/oauth/token/", 200, "token"],
      ["GET", "/v2/user/info/", 200, "user_info"],
    ]);
    const dump = JSON.stringify(log);
    for (const secret of ["sandbox_client_secret", code, t.access_token, t.refresh_token, "dBjftJeZ4CVP"]) expect(dump).not.toContain(secret);
  });

  it("reset: tokens, counters, faults, clock and options back to the start-up state", async () => {
    const t = await connect(sb.url);
    sb.control.setOptions({ oauthErrorStatus: 200, accessTokenTtlSec: 60 });
    sb.control.queueFault("token", { kind: "status", status: 500 });
    const before = sb.control.now();
    sb.control.advanceTime(10 * 86_400_000);
    sb.control.reset();
    expect(sb.control.tokenState(t.refresh_token)).toBe("unknown");
    expect(sb.control.counters().token).toBe(0);
    expect(sb.control.requestLog()).toEqual([]);
    expect(sb.control.options()).toMatchObject({ oauthErrorStatus: 400, accessTokenTtlSec: 86_400 });
    expect(sb.control.now() - before).toBeLessThan(5_000);
    expect((await refresh(sb.url, "rft.x")).status).toBe(400); // no queued 500 left
  });

  it("reset returns to the options given at start-up, not to the defaults", async () => {
    const other = await start({ oauthErrorStatus: 200, redirectUris: ["http://127.0.0.1:9/cb"] });
    try {
      other.control.setOptions({ oauthErrorStatus: 400 });
      other.control.reset();
      expect(other.control.options().oauthErrorStatus).toBe(200);
      expect(other.control.options().clients[0]?.redirectUris).toEqual(["http://127.0.0.1:9/cb"]);
    } finally {
      await other.close();
    }
  });

  it("the server prints nothing", async () => {
    const writes: string[] = [];
    const orig = process.stdout.write.bind(process.stdout);
    const origErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string | Uint8Array) => (writes.push(String(chunk)), true)) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array) => (writes.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      const t = await connect(sb.url);
      await refresh(sb.url, t.refresh_token);
      await refresh(sb.url, t.refresh_token);
    } finally {
      process.stdout.write = orig;
      process.stderr.write = origErr;
    }
    expect(writes).toEqual([]);
  });
});
