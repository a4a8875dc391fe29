/**
 * Fault: two copies of the app's modules in one process — what a `next build` produces. Each
 * route and page is its own bundle with its own copy of `src/lib`, but the TikTok services are
 * built once per process and kept in the process registry (src/lib/process-registry.ts), so the services a
 * route uses were often built by ANOTHER bundle's copy, and throw that copy's error classes.
 * Found by building and running the app: a replayed callback answered `oauth_failed` (and
 * logged `oauth.callback_failed`) instead of `invalid_state`, because the callback route's
 * `instanceof OAuthFlowError` did not recognise the other copy's class.
 *
 * Here the route is this file's copy, and the services are built from a fresh copy of every
 * module (`vi.resetModules()` + dynamic import), exactly as in production.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as videosRoute } from "@/app/api/accounts/[accountId]/videos/route";
import * as errors from "@/lib/connections/errors";
import { APP_URL, decideAtSandbox, resetAppGlobals, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { followCallback, startConnect } from "../helpers/connect-flow";
import { captureLogs, type LogCapture } from "../helpers/log-capture";
import { clearAccounts, counterMark, seedAccount } from "../helpers/security-kit";

describe("faults: the services built by another bundle's copy of the modules", { timeout: 60_000 }, () => {
  let h: AppHarness;
  let logs: LogCapture;
  let user: Awaited<ReturnType<AppHarness["signUp"]>>;

  /** The process-wide services, built from a second copy of every module. */
  async function servicesFromAnotherCopy() {
    h.install();
    resetAppGlobals();
    vi.resetModules();
    const other = (await import("@/lib/services")) as typeof import("@/lib/services");
    await other.getTikTokServices();
    const otherErrors = (await import("@/lib/connections/errors")) as typeof errors;
    // The premise: really two distinct classes.
    expect(otherErrors.OAuthFlowError).not.toBe(errors.OAuthFlowError);
  }

  beforeAll(async () => {
    h = await startAppHarness();
    logs = captureLogs();
    user = await h.signUp("copies");
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

  it("the OAuth error classes are recognised across copies", async () => {
    vi.resetModules();
    const other = (await import("@/lib/connections/errors")) as typeof errors;
    expect(other.OAuthFlowError).not.toBe(errors.OAuthFlowError);
    expect(new other.OAuthFlowError("invalid_state")).toBeInstanceOf(errors.OAuthFlowError);
    expect(new other.OAuthProviderError("invalid_grant", 400)).toBeInstanceOf(errors.OAuthProviderError);
    expect(new other.ProviderRequestError("timeout")).toBeInstanceOf(errors.ProviderRequestError);
    // …and only those: a look-alike is not one, nor is another of our classes.
    const fake = Object.assign(new Error("x"), { name: "OAuthFlowError", code: "invalid_state" });
    expect(fake).not.toBeInstanceOf(errors.OAuthFlowError);
    expect(new other.ProviderRequestError("timeout")).not.toBeInstanceOf(errors.OAuthFlowError);
    expect(new other.OAuthFlowError("oauth_failed")).toBeInstanceOf(Error);
  });

  it("S6 in production: a replayed callback answers invalid_state (not oauth_failed), nothing logged as unexpected", async () => {
    await servicesFromAnotherCopy();
    const browser = new TestBrowser(user.cookie);
    const back = await decideAtSandbox(await startConnect(browser));
    const mark = counterMark(h);
    const first = await followCallback(browser, back);
    expect(first.location?.searchParams.get("success")).toBe("tiktok");
    const replay = await followCallback(browser, back);
    expect(replay.location?.toString()).toBe(`${APP_URL}/settings/accounts?error=invalid_state&provider=tiktok`);
    expect(mark.codeExchanges()).toBe(1);
    expect(logs.events()).not.toContain("oauth.callback_failed");
  });

  it("S14 in production: cancelling at TikTok answers access_denied", async () => {
    await servicesFromAnotherCopy();
    const browser = new TestBrowser(user.cookie);
    const back = await decideAtSandbox(await startConnect(browser), { decision: "cancel" });
    const result = await followCallback(browser, back);
    expect(result.location?.toString()).toBe(`${APP_URL}/settings/accounts?error=access_denied&provider=tiktok`);
    expect(logs.events()).not.toContain("oauth.callback_failed");
  });

  it("the videos route maps a TikTokCallError from another copy (scope_missing → 403)", async () => {
    await servicesFromAnotherCopy();
    const seeded = await seedAccount(h, user.id, "sbx-ava-0001", ["user.info.basic"]);
    const request = new TestBrowser(user.cookie).request(`${APP_URL}/api/accounts/${seeded.id}/videos`);
    const response = await videosRoute(request, { params: Promise.resolve({ accountId: seeded.id }) });
    expect(response.status).toBe(403);
  });
});
