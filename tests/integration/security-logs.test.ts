import { authorizeRoute, callbackRoute, refreshRoute, disconnectRoute } from "../helpers/oauth-routes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_URL, decideAtSandbox, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { installProviderFetchTap, type FetchTap } from "../helpers/fetch-tap";
import { captureConsole, captureLogs, type LogCapture } from "../helpers/log-capture";
import { bindingOf, dumpDatabase, letRefreshMinutePass } from "../helpers/security-kit";

/** The ways a secret could be written down: as is, URL-encoded, form-encoded, JSON-escaped. */
function spellings(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), new URLSearchParams({ x: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1)])];
}

/**
 * Pieces of a secret worth looking for: the whole value in every spelling, and for long values
 * every 16-character window (step 4), so a truncated or partly masked token still counts.
 */
function pieces(secret: string): string[] {
  const out = spellings(secret);
  if (secret.length >= 24) for (let i = 0; i + 16 <= secret.length; i += 4) out.push(secret.slice(i, i + 16));
  return out;
}

function leaksIn(haystack: string, secrets: Record<string, string[]>): string[] {
  const found: string[] = [];
  for (const [kind, values] of Object.entries(secrets)) {
    for (const value of values) {
      const hit = pieces(value).find((piece) => haystack.includes(piece));
      if (hit !== undefined) found.push(`${kind} ${value.slice(0, 8)}… (found "${hit.slice(0, 8)}…")`);
    }
  }
  return found;
}

describe("S29: no token value in logs, console, API responses or the database", { timeout: 60_000 }, () => {
  let h: AppHarness;
  let logs: LogCapture;
  let consoleCapture: ReturnType<typeof captureConsole>;
  let tap: FetchTap & { restore(): void };
  const responses: string[] = [];
  const dumps: string[] = [];
  const states: string[] = [];
  let accountId = "";

  /** Keeps status, every header and the body of a route's response. */
  async function record(response: Response): Promise<Response> {
    responses.push(JSON.stringify({ status: response.status, headers: [...response.headers.entries()], body: await response.clone().text() }));
    return response;
  }

  beforeAll(async () => {
    h = await startAppHarness();
    // Before any service exists: they keep the logger they are built with.
    logs = captureLogs("trace");
    consoleCapture = captureConsole();
    tap = installProviderFetchTap();
    const user = await h.signUp("logged");
    const browser = new TestBrowser(user.cookie);
    const post = (path: string, body?: unknown) =>
      browser.request(`${APP_URL}${path}`, {
        method: "POST",
        ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
      });

    async function connect(): Promise<URL | undefined> {
      const authorize = await record(await authorizeRoute(post("/api/oauth/tiktok/authorize")));
      browser.absorb(authorize.headers.getSetCookie());
      const { url } = (await authorize.json()) as { url: string };
      states.push(new URL(url).searchParams.get("state")!);
      const back = await decideAtSandbox(url);
      const callback = await record(await callbackRoute(browser.request(back)));
      return new URL(callback.headers.get("location")!);
    }

    // 1. A connect whose token response is a real success with the wrong content type:
    //    real tokens in a body the app refuses (and must not log).
    h.sandbox.control.queueFault("token", { kind: "wrong_content_type" });
    expect((await connect())?.searchParams.get("error")).toBe("token_exchange_failed");
    // 2. A good connect.
    accountId = (await connect())?.searchParams.get("account") ?? "";
    expect(accountId).not.toBe("");
    // 3. Refresh: success, a TikTok outage, success again (a minute apart: the button's limit).
    await letRefreshMinutePass(h.db, accountId);
    expect((await record(await refreshRoute(post("/api/oauth/tiktok/refresh", { accountId })))).status).toBe(200);
    await letRefreshMinutePass(h.db, accountId);
    h.sandbox.control.queueFault("token", { kind: "status", status: 503 });
    expect((await record(await refreshRoute(post("/api/oauth/tiktok/refresh", { accountId })))).status).toBe(500);
    await letRefreshMinutePass(h.db, accountId);
    expect((await record(await refreshRoute(post("/api/oauth/tiktok/refresh", { accountId })))).status).toBe(200);
    dumps.push(await dumpDatabase(h.db));
    // 4. Disconnect: TikTok's revoke fails once, then a second disconnect.
    h.sandbox.control.queueFault("revoke", { kind: "status", status: 500 });
    expect((await record(await disconnectRoute(post("/api/oauth/tiktok/disconnect", { accountId })))).status).toBe(200);
    expect((await record(await disconnectRoute(post("/api/oauth/tiktok/disconnect", { accountId })))).status).toBe(200);
    dumps.push(await dumpDatabase(h.db));
    states.push(bindingOf(browser)!);
  }, 120_000);

  afterAll(async () => {
    tap?.restore();
    consoleCapture?.restore();
    logs?.restore();
    await h?.close();
  });

  /** Everything TikTok issued or was sent during the run, as the tap saw it on the wire. */
  function secrets() {
    const { accessTokens, refreshTokens } = tap.issuedTokens();
    return {
      access_token: accessTokens,
      refresh_token: [...new Set([...refreshTokens, ...tap.sentFormValues("refresh_token")])],
      code: tap.sentFormValues("code"),
      code_verifier: tap.sentFormValues("code_verifier"),
      client_secret: [h.config.tiktok.clientSecret!],
    };
  }

  it("S29: the run really exercised connect, refresh and disconnect, and the capture saw it", () => {
    const s = secrets();
    expect(s.access_token.length).toBeGreaterThanOrEqual(4); // refused body, connect, two refreshes
    expect(s.refresh_token.length).toBeGreaterThanOrEqual(4);
    expect(s.code).toHaveLength(2);
    expect(s.code_verifier).toHaveLength(2);
    expect(logs.events()).toEqual(
      expect.arrayContaining([
        "oauth.token_exchange_failed",
        "oauth.connected",
        "token.refreshed",
        "token.refresh_failed",
        "oauth.revoke_failed",
        "account.disconnected",
      ]),
    );
    expect(responses).toHaveLength(9);
    // The checker itself finds a token where one is (so a pass below means something).
    expect(leaksIn(`x${encodeURIComponent(s.access_token[0]!)}x`, s)).toHaveLength(1);
    expect(leaksIn(`{"t":"${s.refresh_token[0]!.slice(0, 24)}"}`, s)).toHaveLength(1);
  });

  it("S29: no token, code, verifier or client secret in the logs", () => {
    expect(logs.lines.length).toBeGreaterThan(5);
    expect(leaksIn(logs.text(), secrets())).toEqual([]);
    expect(leaksIn(logs.text(), { state: states })).toEqual([]);
  });

  it("S29: nothing of them on the console either", () => {
    expect(leaksIn(consoleCapture.output.join("\n"), secrets())).toEqual([]);
    expect(leaksIn(consoleCapture.output.join("\n"), { state: states })).toEqual([]);
  });

  it("S29: no token, code, verifier or client secret in any API response (status, headers, body)", () => {
    expect(leaksIn(responses.join("\n"), secrets())).toEqual([]);
    // The state travels in the authorize response by design, but never comes back out of the callback.
    const callbacks = responses.filter((r) => r.includes("/settings/accounts"));
    expect(callbacks).toHaveLength(2);
    expect(leaksIn(callbacks.join("\n"), { state: states })).toEqual([]);
  });

  it("S29: no token, code, verifier, state or client secret in a database dump (tokens are stored encrypted)", () => {
    expect(dumps).toHaveLength(2);
    expect(dumps[0]).toContain(accountId);
    expect(dumps[0]).toMatch(/"access_token":"v1\./);
    for (const dump of dumps) {
      expect(leaksIn(dump, secrets())).toEqual([]);
      expect(leaksIn(dump, { state_or_binding: states })).toEqual([]);
    }
  });
});
