import { authorizeRoute, callbackRoute } from "./oauth-routes";
import { APP_URL, decideAtSandbox, TestBrowser } from "./app-harness";

/** POST authorize as this browser; returns the TikTok URL (and keeps the binding cookie). */
export async function startConnect(browser: TestBrowser): Promise<string> {
  const response = await authorizeRoute(browser.request(`${APP_URL}/api/oauth/tiktok/authorize`, { method: "POST" }));
  if (response.status !== 200) throw new Error(`authorize answered ${response.status}`);
  browser.absorb(response.headers.getSetCookie());
  return ((await response.json()) as { url: string }).url;
}

/** GET the callback as this browser; returns the redirect's status and target. */
export async function followCallback(browser: TestBrowser, callbackUrl: string) {
  const response = await callbackRoute(browser.request(callbackUrl));
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
