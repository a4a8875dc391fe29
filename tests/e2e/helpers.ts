/**
 * Reusable end-to-end steps. They drive the real UI (labels and button names a user sees), and
 * each waits for the outcome it promises, so a spec reads as a list of user actions.
 *
 *   const user = await signUp(page);          // new account, signed in, on the dashboard
 *   await signOut(page);                      // back on /login
 *   await signIn(page, user);                 // signed in again
 *   await gotoAccounts(page);                 // Settings → Accounts
 */
import { randomBytes } from "node:crypto";
import type { APIRequestContext, Locator, Page } from "@playwright/test";
import { expect, test } from "./fixtures";

export { test, expect } from "./fixtures";
export { INSTANCES, INSTANCE_A, INSTANCE_B, instanceFor } from "./servers";

export interface Credentials {
  email: string;
  password: string;
}

export interface TestUser extends Credentials {
  name: string;
}

/** A password that satisfies the sign-up rules (at least 10 characters). */
export const TEST_PASSWORD = "e2e-Correct-Horse-9";

/** An email address no earlier run or test has used. */
export function uniqueEmail(prefix = "e2e"): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}@example.com`;
}

/** A fresh user's details (nothing is created). */
export function newUser(overrides: Partial<TestUser> = {}): TestUser {
  const email = overrides.email ?? uniqueEmail();
  return { name: overrides.name ?? `E2E ${email.split("@")[0]}`, email, password: overrides.password ?? TEST_PASSWORD };
}

/** The header element that shows who is signed in. */
export function signedInUser(page: Page): Locator {
  return page.getByTestId("signed-in-user");
}

/** The form's error message (scoped to the form: Next.js has its own role=alert route announcer). */
export function formAlert(page: Page): Locator {
  return page.locator("form").getByRole("alert");
}

/** Fills and submits the sign-up form at /signup; does not wait for the outcome. */
export async function submitSignUpForm(page: Page, user: Partial<TestUser> & Credentials): Promise<void> {
  await page.goto("/signup");
  if (user.name !== undefined) await page.getByLabel("Name").fill(user.name);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign up" }).click();
}

/** Fills and submits the sign-in form at /login (optionally `/login?next=…`); does not wait for the outcome. */
export async function submitSignInForm(page: Page, credentials: Credentials, loginPath = "/login"): Promise<void> {
  await page.goto(loginPath);
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Waits until the header shows `email` as the signed-in user. */
export async function expectSignedIn(page: Page, email: string): Promise<void> {
  await expect(signedInUser(page)).toHaveText(email);
}

/**
 * Creates an account through the sign-up form and waits until it is signed in (header shows the
 * email). Returns the user's details for a later `signIn`.
 */
export async function signUp(page: Page, overrides: Partial<TestUser> = {}): Promise<TestUser> {
  const user = newUser(overrides);
  await submitSignUpForm(page, user);
  await expectSignedIn(page, user.email);
  return user;
}

/** Signs in through the form and waits until the header shows the email. */
export async function signIn(page: Page, credentials: Credentials): Promise<void> {
  await submitSignInForm(page, credentials);
  await expectSignedIn(page, credentials.email);
}

/** Clicks "Sign out" in the header and waits for the sign-in page. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login(\?|$)/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
}

/**
 * Creates an account through Better Auth's HTTP API in the page's browser context (faster than
 * the form; the session cookie lands in the context). For specs whose subject is not sign-up.
 */
export async function signUpViaApi(page: Page, overrides: Partial<TestUser> = {}): Promise<TestUser> {
  const user = newUser(overrides);
  const origin = new URL(projectBaseURL()).origin;
  const res = await page.request.post("/api/auth/sign-up/email", {
    data: { name: user.name, email: user.email, password: user.password },
    headers: { Origin: origin },
  });
  expect(res.status(), `sign-up via API: ${await res.text()}`).toBe(200);
  return user;
}

/** Opens Settings → Accounts and waits for its heading. */
export async function gotoAccounts(page: Page): Promise<void> {
  await page.goto("/settings/accounts");
  await expect(page.getByRole("heading", { name: "Connected accounts" })).toBeVisible();
}

/** The running project's baseURL (the app instance under test). */
export function projectBaseURL(): string {
  const baseURL = test.info().project.use.baseURL;
  if (!baseURL) throw new Error("project has no baseURL (see playwright.config.ts)");
  return baseURL;
}

/**
 * Calls the instance's TikTok sandbox control API (`${sandboxURL}/__sandbox/<path>`), e.g.
 * `await sandboxControl(request, sandboxURL, "GET", "options")` or
 * `await sandboxControl(request, sandboxURL, "POST", "faults", { endpoint: "token", fault: { kind: "status", status: 503 } })`.
 * Fails the test on a non-2xx answer; returns the parsed JSON (or null for an empty body).
 */
export async function sandboxControl<T = unknown>(
  request: APIRequestContext,
  sandboxURL: string,
  method: "GET" | "POST" | "DELETE",
  controlPath: string,
  body?: unknown,
): Promise<T> {
  const url = `${sandboxURL}/__sandbox/${controlPath.replace(/^\/+/, "")}`;
  const res = await request.fetch(url, { method, data: body === undefined ? undefined : body });
  const text = await res.text();
  expect(res.ok(), `${method} ${url} → ${res.status()} ${text}`).toBe(true);
  return (text ? JSON.parse(text) : null) as T;
}

/** Console errors and CSP violations a page reports while the test runs. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}
