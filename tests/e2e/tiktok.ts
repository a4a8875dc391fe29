/**
 * TikTok steps for end-to-end specs: the connect flow as a person does it (the accounts page,
 * then the sandbox's consent page), and the sandbox's control API for what a person cannot
 * see (counters, faults).
 */
import type { APIRequestContext, Page } from "@playwright/test";
import { expect } from "./fixtures";
import { gotoAccounts } from "./helpers";

export interface ConsentChoice {
  /** Display name of the seeded test account to pick, e.g. "Ava Sandbox". */
  account?: string;
  /** Scope ids to untick on the consent page, e.g. ["video.upload"]. */
  untick?: string[];
  decision?: "Authorize" | "Cancel";
}

/** From the accounts page: Connect TikTok → consent page → decision → back on the accounts page. */
export async function connectTikTok(page: Page, sandboxURL: string, choice: ConsentChoice = {}): Promise<void> {
  await gotoAccounts(page);
  await page.getByRole("button", { name: "Connect TikTok" }).first().click();
  await decideAtConsentPage(page, sandboxURL, choice);
}

/** On TikTok's (the sandbox's) consent page, after any button that leads there: decide, and wait to be back on the accounts page. */
export async function decideAtConsentPage(page: Page, sandboxURL: string, choice: ConsentChoice = {}): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(`${sandboxURL}/v2/auth/authorize/`));
  await expect(page.getByRole("button", { name: "Authorize" })).toBeVisible();
  if (choice.account) await page.getByRole("radio", { name: new RegExp(choice.account) }).check();
  for (const scope of choice.untick ?? []) {
    await page.getByRole("checkbox", { name: new RegExp(`\\(${scope.replace(/\./g, "\\.")}\\)`) }).uncheck();
  }
  await page.getByRole("button", { name: choice.decision ?? "Authorize", exact: true }).click();
  await page.waitForURL(/\/settings\/accounts\?/);
}

export function accountCard(page: Page, displayName: string) {
  return page.getByRole("article", { name: `TikTok account ${displayName}` });
}

export function banner(page: Page) {
  return page.getByTestId("banner");
}

type Counters = { token: number; revoke: number; tokenByGrant: { authorization_code: number; refresh_token: number } };

export async function sandboxCounters(request: APIRequestContext, sandboxURL: string): Promise<Counters> {
  const response = await request.get(`${sandboxURL}/__sandbox/counters`);
  expect(response.ok()).toBe(true);
  return (await response.json()) as Counters;
}

export async function sandboxRequests(request: APIRequestContext, sandboxURL: string) {
  const response = await request.get(`${sandboxURL}/__sandbox/requests`);
  return (await response.json()) as { endpoint: string; status: number; path: string }[];
}

export async function queueSandboxFault(request: APIRequestContext, sandboxURL: string, endpoint: string, fault: Record<string, unknown>, times = 1) {
  const response = await request.post(`${sandboxURL}/__sandbox/faults`, { data: { endpoint, fault, times } });
  expect(response.ok()).toBe(true);
}

/**
 * A TikTok test account of this spec's own on the sandbox's consent page (as a developer adds
 * target users to a sandbox app), so a spec never finds a seeded account still connected to
 * another spec's user. Returns the display name to pick.
 */
export async function addSandboxTestAccount(request: APIRequestContext, sandboxURL: string, openId: string): Promise<string> {
  const added = await request.post(`${sandboxURL}/__sandbox/users`, { data: { openIds: [openId] } });
  expect(added.ok()).toBe(true);
  const users = (await (await request.get(`${sandboxURL}/__sandbox/users`)).json()) as { openId: string; displayName: string }[];
  const user = users.find((u) => u.openId === openId);
  if (!user) throw new Error("the sandbox did not add the test account");
  return user.displayName;
}
