import { test as base, expect } from "@playwright/test";
import { INSTANCE_A } from "./servers";

/** Per-project options (set in playwright.config.ts). */
export interface E2EOptions {
  /** The TikTok sandbox of the instance this project runs against (no trailing slash). */
  sandboxURL: string;
}

export interface E2EFixtures {
  /**
   * The client address this test's browser presents (X-Forwarded-For), unique per test.
   * Better Auth rate-limits sign-in/sign-up per client address (3 per 10 s in production, which is
   * how the e2e instances run); one address per test keeps tests from sharing a budget, as
   * separate users on separate machines would.
   */
  clientIP: string;
}

let clients = 0;

/**
 * Playwright's `test` with the e2e options and fixtures. Specs import `test`/`expect` from here
 * (or from ./helpers, which re-exports them).
 */
export const test = base.extend<E2EOptions & E2EFixtures>({
  sandboxURL: [INSTANCE_A.sandboxURL, { option: true }],
  clientIP: async ({}, provide, testInfo) => {
    clients += 1;
    await provide(`10.${(testInfo.workerIndex % 250) + 1}.${(clients >> 8) & 255}.${clients & 255}`);
  },
  extraHTTPHeaders: async ({ extraHTTPHeaders, clientIP }, provide) => {
    await provide({ ...extraHTTPHeaders, "X-Forwarded-For": clientIP });
  },
});

export { expect };
