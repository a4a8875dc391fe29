/**
 * S47 end to end: TikTok answers an API call with an error code named like an Object.prototype
 * member; the API client maps it like any unknown code (by HTTP status) and the route answers
 * with one of its fixed codes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as videosRoute } from "@/app/api/accounts/[accountId]/videos/route";
import { APP_URL, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { connectTikTok } from "../helpers/connect-flow";

describe("S47: prototype-named TikTok error codes through the API client", () => {
  let h: AppHarness;
  let alice: { browser: TestBrowser; accountId: string };

  beforeAll(async () => {
    h = await startAppHarness();
    const a = await h.signUp("alice");
    const browser = new TestBrowser(a.cookie);
    alice = { browser, accountId: await connectTikTok(browser, { openId: "sbx-ava-0001" }) };
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.install();
    h.sandbox.control.clearFaults();
  });

  const listVideos = (cursor: number) =>
    videosRoute(alice.browser.request(`${APP_URL}/api/accounts/${alice.accountId}/videos?cursor=${cursor}`), {
      params: Promise.resolve({ accountId: alice.accountId }),
    });

  it.each([
    ["constructor", 500, 503, "tiktok_unavailable"],
    ["__proto__", 500, 503, "tiktok_unavailable"],
    ["toString", 400, 422, "rejected"],
    ["hasOwnProperty", 400, 422, "rejected"],
  ] as const)("S47: error.code %s with HTTP %i → %i %s", async (code, status, expectedStatus, expectedCode) => {
    h.sandbox.control.queueFault("video_list", { kind: "api_error", code, status });
    const response = await listVideos(status);
    expect(response.status).toBe(expectedStatus);
    const body = (await response.json()) as { code: string; error: string };
    expect(body.code).toBe(expectedCode);
    expect(JSON.stringify(body)).not.toContain(code);
  });
});
