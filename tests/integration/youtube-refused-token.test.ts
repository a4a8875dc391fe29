/**
 * Google refuses the stored access token (authError) and the forced refresh then fails for a
 * moment (docs/security.md S76): the call is "YouTube unavailable", never "reconnect", and the
 * account stays ACTIVE.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as videosRoute } from "@/app/api/accounts/[accountId]/videos/route";
import { APP_URL, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { connectYouTube } from "../helpers/connect-flow";
import { accountRow } from "../helpers/security-kit";
import { ADA } from "../../sandbox/google/tests/helpers";

describe("YouTube: a refused token whose refresh fails for a moment", () => {
  let h: AppHarness;
  let alice: { browser: TestBrowser; accountId: string };

  beforeAll(async () => {
    h = await startAppHarness();
    const a = await h.signUp("alice");
    const browser = new TestBrowser(a.cookie);
    alice = { browser, accountId: await connectYouTube(browser, { account: ADA }) };
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.install();
    h.google.control.clearFaults();
  });

  const listVideos = () =>
    videosRoute(alice.browser.request(`${APP_URL}/api/accounts/${alice.accountId}/videos`), { params: Promise.resolve({ accountId: alice.accountId }) });

  it("S76: authError twice with a refresh between that Google's token endpoint answered 503 → 503 youtube_unavailable, not 409 reconnect_required; the account stays ACTIVE", async () => {
    h.google.control.queueFault("playlist_items", { kind: "api_error", reason: "authError" }, 2);
    h.google.control.queueFault("token", { kind: "status", status: 503 });
    const response = await listVideos();
    expect(response.status).toBe(503);
    expect(((await response.json()) as { code: string }).code).toBe("youtube_unavailable");
    expect(await accountRow(h.db, alice.accountId)).toMatchObject({ status: "ACTIVE" });
    // A refusal that was the fluke: the stored token, sent again after the failed refresh, works.
    h.install();
    h.google.control.queueFault("playlist_items", { kind: "api_error", reason: "authError" });
    h.google.control.queueFault("token", { kind: "status", status: 503 });
    expect((await listVideos()).status).toBe(200);
  });
});
