/**
 * YouTube steps for end-to-end specs: the connect flow as a person does it (the accounts page,
 * then the Google sandbox's account chooser and consent screen), and the Google sandbox's
 * control API for what a person cannot see.
 */
import type { APIRequestContext, Page } from "@playwright/test";
import { expect } from "./fixtures";
import { gotoAccounts } from "./helpers";

/**
 * A Google identity with a channel of 25 uploads of this spec's own, added to the chooser (as a
 * developer adds test users to a project in Testing), so a spec never finds a seeded channel still
 * connected to another spec's user. Returns its id and its channel's title.
 */
export async function addGoogleTestUser(request: APIRequestContext, googleURL: string, accountId: string): Promise<{ id: string; channelTitle: string }> {
  const added = await request.post(`${googleURL}/__sandbox/users`, { data: { accountIds: [accountId] } });
  expect(added.ok()).toBe(true);
  const users = (await (await request.get(`${googleURL}/__sandbox/users`)).json()) as { id: string; channel?: { title: string } }[];
  const user = users.find((u) => u.id === accountId);
  if (!user?.channel) throw new Error("the Google sandbox did not add the test user");
  return { id: user.id, channelTitle: user.channel.title };
}

/** From the accounts page: Connect YouTube → chooser (pick the identity) → consent (Select all) → back on the accounts page. */
export async function connectYouTube(page: Page, googleURL: string, accountId: string): Promise<void> {
  await gotoAccounts(page);
  await page.getByRole("button", { name: "Connect YouTube" }).first().click();
  await page.waitForURL((url) => url.href.startsWith(`${googleURL}/o/oauth2/v2/auth`));
  await expect(page.getByRole("heading", { name: "Choose an account or a brand account" })).toBeVisible();
  await page.locator(`input[name="account"][value="${accountId}"]`).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: /wants access to your Google Account/ })).toBeVisible();
  await page.locator("#select-all").check();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL(/\/settings\/accounts\?/);
}

export function channelCard(page: Page, title: string) {
  return page.getByRole("article", { name: `YouTube account ${title}` });
}

type Counters = { revoke: number; playlist_items: number; tokenByGrant: { authorization_code: number; refresh_token: number } };

export async function googleCounters(request: APIRequestContext, googleURL: string): Promise<Counters> {
  const response = await request.get(`${googleURL}/__sandbox/counters`);
  expect(response.ok()).toBe(true);
  return (await response.json()) as Counters;
}
