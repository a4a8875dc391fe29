import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import type { E2EOptions } from "./tests/e2e/fixtures";
import { INSTANCE_A, INSTANCE_B, INSTANCE_C, type E2EInstance } from "./tests/e2e/servers";

/**
 * End-to-end tests (`npm run test:e2e` builds once, then runs these).
 *
 * Two app instances, each with its own TikTok sandbox, Google sandbox and fresh database (scripts/e2e-server.ts):
 *   project "default"             → instance A: base64url PKCE, OAuth errors as HTTP 400 (every spec but *.hex.spec.ts)
 *   project "hex-pkce-200-errors" → instance B: hex PKCE, OAuth errors as HTTP 200 (*.hex.spec.ts only)
 *   project "analytics"           → instance C: as A, with the sweepers on and a 10 s ANALYTICS_INTERVAL (analytics-walk.spec.ts only)
 *
 * Debian's Chromium (/usr/bin/chromium; override with CHROMIUM_PATH) — never `playwright install`.
 * No retries: a flaky test must show up as a failure, not hide behind a second attempt.
 */
const CI = Boolean(process.env.CI);
const jsonOutput = path.resolve(
  __dirname,
  process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? process.env.PLAYWRIGHT_JSON_OUTPUT_FILE ?? "test-results/e2e.json",
);

function webServer(instance: E2EInstance) {
  return {
    name: instance.project,
    command:
      `node --import tsx scripts/e2e-server.ts --port ${instance.port} --sandbox-port ${instance.sandboxPort} --google-sandbox-port ${instance.googleSandboxPort} ` +
      `--pkce ${instance.pkce} --oauth-error-status ${instance.oauthErrorStatus}` +
      (instance.analyticsInterval ? ` --analytics-interval ${instance.analyticsInterval}` : ""),
    cwd: __dirname,
    url: `${instance.appURL}/api/health`,
    reuseExistingServer: !CI,
    timeout: 120_000,
    stdout: "pipe" as const,
    stderr: "pipe" as const,
    // SIGTERM (not Playwright's default SIGKILL) so the server removes its temp database and closes the sandbox.
    gracefulShutdown: { signal: "SIGTERM" as const, timeout: 10_000 },
    env: { NEXT_TELEMETRY_DISABLED: "1" },
  };
}

export default defineConfig<E2EOptions>({
  testDir: "tests/e2e",
  testMatch: "**/*.spec.ts",
  outputDir: "test-results/e2e-artifacts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: jsonOutput }]],
  use: {
    ...devices["Desktop Chrome"],
    headless: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    {
      name: INSTANCE_A.project,
      testIgnore: ["**/*.hex.spec.ts", "**/analytics-walk.spec.ts"],
      use: { baseURL: INSTANCE_A.appURL, sandboxURL: INSTANCE_A.sandboxURL },
    },
    {
      name: INSTANCE_B.project,
      testMatch: "**/*.hex.spec.ts",
      use: { baseURL: INSTANCE_B.appURL, sandboxURL: INSTANCE_B.sandboxURL },
    },
    {
      name: INSTANCE_C.project,
      testMatch: "**/analytics-walk.spec.ts",
      use: { baseURL: INSTANCE_C.appURL, sandboxURL: INSTANCE_C.sandboxURL },
    },
  ],
  webServer: [webServer(INSTANCE_A), webServer(INSTANCE_B), webServer(INSTANCE_C)],
});
