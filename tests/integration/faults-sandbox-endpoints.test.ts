import { registryOf } from "../helpers/security-kit";
/**
 * Fault: TikTok (the sandbox) hanging or answering garbage on every endpoint in turn
 * (issue 7, item 3; docs/security.md S17–S19, S32, S37). Each endpoint is reached the way a user
 * reaches it — the callback (code exchange, profile), the Refresh button, Disconnect, the
 * videos page — through the REAL route handlers, with the process-wide services rebuilt with
 * a 300 ms provider timeout so a hang costs 300 ms, not 10 s.
 * Every answer is a fixed error code (never an unexpected 500, never an exception), and
 * nothing is half-written: no account from a failed connect, tokens kept on a failed
 * refresh, the account gone after a disconnect whatever TikTok said.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as videosRoute } from "@/app/api/accounts/[accountId]/videos/route";
import { AccountService } from "@/lib/connections/account-service";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { metricValue } from "@/lib/observability/metrics";
import { TikTokProvider } from "@/lib/providers/tiktok/oauth-provider";
import { ConnectionService } from "@/lib/connections/connection-service";
import { TokenRefresher } from "@/lib/connections/token-refresher";
import { TikTokApiClient } from "@/lib/providers/tiktok/api-client";
import { getAppServices } from "@/lib/services";
import { setProcessSingleton } from "@/lib/process-registry";
import { UserBudget } from "@/lib/connections/user-budget";
import { VideoService } from "@/lib/providers/tiktok/video-list";
import type { Fault } from "../../sandbox/tiktok/index";
import { APP_URL, decideAtSandbox, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { followCallback, startConnect } from "../helpers/connect-flow";
import { installProviderFetchTap } from "../helpers/fetch-tap";
import { captureLogs, type LogCapture } from "../helpers/log-capture";
import {
  accountRow,
  accountRowsOf,
  clearAccounts,
  counterMark,
  eventKinds,
  letRefreshMinutePass,
  postDisconnect,
  postRefresh,
  seedAccount,
  stateRowsOf,
} from "../helpers/security-kit";

const TIMEOUT_MS = 300;

const FAULTS: { name: string; fault: Fault; transient: boolean }[] = [
  { name: "hang", fault: { kind: "hang" }, transient: true },
  { name: "delay past the timeout", fault: { kind: "delay", ms: 1_500 }, transient: true },
  { name: "status 500", fault: { kind: "status", status: 500 }, transient: true },
  { name: "status 503", fault: { kind: "status", status: 503, retryAfterSec: 5 }, transient: true },
  { name: "html", fault: { kind: "html" }, transient: false },
  { name: "malformed_json", fault: { kind: "malformed_json" }, transient: false },
  { name: "json_array", fault: { kind: "json_array" }, transient: false },
  { name: "wrong_content_type", fault: { kind: "wrong_content_type" }, transient: false },
];

/** Bits of the sandbox's garbage bodies that must never reach a log line or an answer (S19). */
const BODY_MARKERS = ["<!DOCTYPE", "<html", "Sandbox injected", "act.trunc", '"log_id"'];

type SignedUp = Awaited<ReturnType<AppHarness["signUp"]>>;

describe("faults: the sandbox hanging or answering garbage on every endpoint in turn", { timeout: 60_000 }, () => {
  let h: AppHarness;
  let logs: LogCapture;
  let alice: SignedUp;

  /** The app's services as services.ts builds them, but with a short provider timeout. */
  async function installFastServices() {
    h.install();
    const real = await getAppServices();
    const db = h.db;
    const cipher = getTokenCipher();
    const oauth = new ConnectionService({ db, cipher, provider: new TikTokProvider(h.config.tiktok, { timeoutMs: TIMEOUT_MS }) });
    const providers = registryOf(oauth.provider);
    const refresher = new TokenRefresher({ db, cipher, providers });
    const accounts = new AccountService({ db, cipher, providers, refresher });
    const budget = new UserBudget({ perMinute: 10_000, perDay: 100_000 });
    const api = new TikTokApiClient({ db, cipher, refresher, budget, apiBaseUrl: h.config.tiktok.apiBaseUrl, timeoutMs: TIMEOUT_MS });
    const videos = new VideoService(api, h.config.tiktok.apiBaseUrl);
    setProcessSingleton(
      "services",
      Promise.resolve({
        ...real,
        providers,
        connections: new Map([["TIKTOK" as const, oauth]]),
        refresher,
        accounts,
        // The videos route reads the provider-neutral map: without this it would use the real
        // client and its 10 s timeout, and a 1.5 s delay would succeed.
        recentVideos: new Map([...real.recentVideos, ["TIKTOK" as const, videos]]),
        tiktok: { api, videos },
      }),
    );
  }

  beforeAll(async () => {
    h = await startAppHarness();
    logs = captureLogs();
    alice = await h.signUp("alice");
  }, 120_000);
  afterAll(async () => {
    logs?.restore();
    await h?.close();
  });
  afterEach(async () => {
    h.sandbox.control.clearFaults();
    await clearAccounts(h.db);
    logs.clear();
  });

  /** Nothing of the garbage body in the logs, and no unexpected-error path taken. */
  function expectCleanLogs() {
    const text = logs.text();
    for (const marker of BODY_MARKERS) expect(text).not.toContain(marker);
    expect(logs.events()).not.toContain("oauth.callback_failed");
    expect(logs.events()).not.toContain("token.refresh_route_failed");
    expect(logs.events()).not.toContain("account.disconnect_route_failed");
    expect(logs.events()).not.toContain("videos.list_failed");
  }

  async function approved() {
    const browser = new TestBrowser(alice.cookie);
    const back = await decideAtSandbox(await startConnect(browser));
    return { browser, back };
  }

  describe.each(FAULTS)("$name", ({ fault, transient }) => {
    it("token (code exchange, callback) → token_exchange_failed, no account, state consumed", async () => {
      await installFastServices();
      const { browser, back } = await approved();
      h.sandbox.control.queueFault("token", fault);
      const mark = counterMark(h);
      const outcomesBefore = metricValue("sf_oauth_callbacks_total", { outcome: "token_exchange_failed" });
      const started = Date.now();
      const result = await followCallback(browser, back);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(result.status).toBe(303);
      expect(result.location?.toString()).toBe(`${APP_URL}/settings/accounts?error=token_exchange_failed&provider=tiktok`);
      expect(mark.token()).toBe(1); // the code is never retried (S16)
      expect(metricValue("sf_oauth_callbacks_total", { outcome: "token_exchange_failed" }) - outcomesBefore).toBe(1);
      expect(mark.userInfo()).toBe(0);
      expect(await accountRowsOf(h.db, alice.id)).toHaveLength(0);
      expect(await stateRowsOf(h.db, alice.id)).toHaveLength(0);
      expectCleanLogs();
    });

    it("user_info (profile, callback) → oauth_failed, no account, the fresh grant revoked", async () => {
      await installFastServices();
      const { browser, back } = await approved();
      h.sandbox.control.queueFault("user_info", fault);
      const mark = counterMark(h);
      const tap = installProviderFetchTap();
      let result;
      try {
        result = await followCallback(browser, back);
      } finally {
        tap.restore();
      }
      expect(result.status).toBe(303);
      expect(result.location?.toString()).toBe(`${APP_URL}/settings/accounts?error=oauth_failed&provider=tiktok`);
      expect(mark.codeExchanges()).toBe(1);
      expect(mark.userInfo()).toBe(1);
      expect(await accountRowsOf(h.db, alice.id)).toHaveLength(0);
      const { accessTokens } = tap.issuedTokens();
      expect(accessTokens).toHaveLength(1);
      expect(mark.revoke()).toBe(1);
      expect(h.sandbox.control.accessTokenState(accessTokens[0]!)).toBe("revoked");
      expectCleanLogs();
    });

    it("token (refresh, Refresh button) → refresh_failed, tokens kept, account stays ACTIVE, failure recorded", async () => {
      await installFastServices();
      const seeded = await seedAccount(h, alice.id, "sbx-ava-0001");
      await letRefreshMinutePass(h.db, seeded.id);
      const before = await accountRow(h.db, seeded.id);
      h.sandbox.control.queueFault("token", fault);
      const mark = counterMark(h);
      const reason = transient ? "provider_unreachable" : "provider_malformed_response";
      const failuresBefore = metricValue("sf_token_refresh_failures_total", { reason });
      const { status, body, response } = await postRefresh(new TestBrowser(alice.cookie), seeded.id);
      // The route's answer for a failed refresh (500 refresh_failed); 503 would also be clean.
      expect([500, 503]).toContain(status);
      expect(body).toEqual({ error: "Failed to refresh token", code: "refresh_failed" });
      expect(response.headers.get("cache-control")).toBe("no-store, no-transform");
      expect(mark.refreshes()).toBe(1);
      const after = (await accountRow(h.db, seeded.id))!;
      expect(after.status).toBe("ACTIVE"); // S32: a failure is not an expiry
      expect(after.accessToken).toBe(before!.accessToken);
      expect(after.refreshToken).toBe(before!.refreshToken);
      expect(after.refreshFailures).toBe(1);
      expect(after.refreshLeaseId).toBeNull();
      expect(after.statusReason).toBe(reason);
      expect(metricValue("sf_token_refresh_failures_total", { reason }) - failuresBefore).toBe(1);
      expect(after.nextRefreshAt!.getTime()).toBeGreaterThan(Date.now());
      expect(await eventKinds(h.db, seeded.id)).toEqual(["connected", "refresh_failed"]);
      expectCleanLogs();
    });

    it("revoke (Disconnect) → disconnected anyway, revoke failure recorded", async () => {
      await installFastServices();
      const seeded = await seedAccount(h, alice.id, "sbx-ava-0001");
      h.sandbox.control.queueFault("revoke", fault);
      const mark = counterMark(h);
      const { status, body } = await postDisconnect(new TestBrowser(alice.cookie), seeded.id);
      expect(status).toBe(200);
      expect(body).toMatchObject({ success: true, revoked: false, alreadyDisconnected: false });
      expect(mark.revoke()).toBe(1);
      expect(await accountRow(h.db, seeded.id)).toBeUndefined();
      expect(await eventKinds(h.db, seeded.id)).toEqual(["connected", "revoke_failed", "disconnected"]);
      expectCleanLogs();
    });

    it("video_list (videos page) → 503 tiktok_unavailable, account untouched", async () => {
      await installFastServices();
      const seeded = await seedAccount(h, alice.id, "sbx-ava-0001");
      const before = await accountRow(h.db, seeded.id);
      h.sandbox.control.queueFault("video_list", fault);
      const mark = h.sandbox.control.counters().video_list;
      const request = new TestBrowser(alice.cookie).request(`${APP_URL}/api/accounts/${seeded.id}/videos`);
      const response = await videosRoute(request, { params: Promise.resolve({ accountId: seeded.id }) });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { code: string }).code).toBe("tiktok_unavailable");
      expect(h.sandbox.control.counters().video_list - mark).toBe(1);
      expect(await accountRow(h.db, seeded.id)).toEqual(before);
      expectCleanLogs();
    });
  });
});
