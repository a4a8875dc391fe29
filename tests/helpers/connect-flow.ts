import { authorizeRoute, callbackRoute } from "./oauth-routes";
import { APP_URL, decideAtSandbox, TestBrowser } from "./app-harness";
import { consent, type ConsentChoice } from "../../sandbox/google/browser";

/** POST authorize as this browser; returns the provider's URL (and keeps the binding cookie). */
export async function startConnect(browser: TestBrowser, slug = "tiktok"): Promise<string> {
  const response = await authorizeRoute(browser.request(`${APP_URL}/api/oauth/${slug}/authorize`, { method: "POST" }), slug);
  if (response.status !== 200) throw new Error(`authorize answered ${response.status}`);
  browser.absorb(response.headers.getSetCookie());
  return ((await response.json()) as { url: string }).url;
}

/** GET the callback as this browser; returns the redirect's status and target. */
export async function followCallback(browser: TestBrowser, callbackUrl: string, slug = "tiktok") {
  const response = await callbackRoute(browser.request(callbackUrl), slug);
  const location = response.headers.get("location");
  return { response, status: response.status, location: location ? new URL(location) : undefined };
}

/** The whole connect flow for a signed-in browser: returns the new account id. */
export async function connectTikTok(browser: TestBrowser, choice?: Parameters<typeof decideAtSandbox>[1]): Promise<string> {
  const url = await startConnect(browser);
  const callbackUrl = await decideAtSandbox(url, choice);
  const { location } = await followCallback(browser, callbackUrl);
  const account = location?.searchParams.get("account");
  if (!account) throw new Error(`connect failed: ${location?.searchParams.get("error") ?? "no redirect"}`);
  return account;
}

/**
 * Connect YouTube as a person would: authorize, Google's account chooser and consent screen (the
 * Google sandbox's), then the callback. Returns where the callback sent the browser.
 */
export async function connectYouTubeFlow(browser: TestBrowser, choice: ConsentChoice = {}) {
  const url = new URL(await startConnect(browser, "youtube"));
  const step = await consent(url.origin, url.searchParams, choice);
  if (step.status !== 302 || !step.location) throw new Error(`Google sandbox answered ${step.status}`);
  return followCallback(browser, step.location, "youtube");
}

/** The whole YouTube connect flow; returns the new account id. */
export async function connectYouTube(browser: TestBrowser, choice: ConsentChoice = {}): Promise<string> {
  const { location } = await connectYouTubeFlow(browser, choice);
  const account = location?.searchParams.get("account");
  if (!account) throw new Error(`connect failed: ${location?.searchParams.get("error") ?? "no redirect"}`);
  return account;
}
