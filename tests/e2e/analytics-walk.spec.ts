import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, sandboxControl, signUp, test } from "./helpers";
import { addSandboxTestAccount, connectTikTok } from "./tiktok";
import { checkPage, watchPageErrors } from "./page-checks";

const fixture = (name: string) => path.join(process.cwd(), "tests", "fixtures", name);
const HOUR_MS = 3_600_000;

/**
 * Issue #13, done when: a new user's walk through the analytics at desktop and phone width —
 * sign up → connect TikTok → the dashboard shows the account with numbers → the sandbox clock
 * moves and snapshots are taken (the e2e servers run the sweeper with a short ANALYTICS_INTERVAL)
 * → the charts show several points → the CSV downloads → the upload preview plays. Every page:
 * no horizontal overflow, no console error, a full-page screenshot (CI artifact).
 */
for (const width of [1280, 390]) {
  test.describe(`Analytics walk at ${width} px`, () => {
    test.use({ viewport: { width, height: width > 600 ? 900 : 844 } });

    test("sign up → connect → dashboard numbers → snapshots → charts → CSV → upload preview plays", async ({ page, request, sandboxURL }, testInfo) => {
      test.setTimeout(240_000);
      const errors = watchPageErrors(page, sandboxURL);
      let step = 0;
      const check = (name: string) => checkPage(page, testInfo, errors, name, ++step);

      await signUp(page);
      await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
      await expect(page.getByTestId("dashboard-empty")).toBeVisible();
      await check("dashboard-empty");

      // An account of this test's own, so no other spec's user holds it.
      const name = await addSandboxTestAccount(request, sandboxURL, `e2e-analytics-${width}-${Date.now()}`);
      await connectTikTok(page, sandboxURL, { account: name });
      await check("accounts-connected");

      // The dashboard: the account, its health in words, and numbers from its first snapshot.
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
      const tile = page.getByRole("article", { name: `TikTok account ${name}` });
      await expect(tile).toBeVisible();
      await expect(tile.getByTestId("account-health")).toHaveText(/Connected/);
      await expect
        .poll(async () => {
          await page.reload();
          return tile.getByTestId("stat-followers").locator("dd").first().textContent();
        }, { timeout: 30_000 })
        .toMatch(/\d/);
      await expect(tile.getByTestId("stat-videos").locator("dd").first()).toHaveText(/\d/);
      await check("dashboard");

      // Time passes at TikTok (4 hours a step: the sandbox's 24-hour access token stays valid) and
      // the sweeper's next snapshots (every 10 s on this instance) see the counts move.
      const analyticsPath = await tile.getByRole("link", { name: "Analytics" }).getAttribute("href");
      expect(analyticsPath).toMatch(/^\/accounts\/[^/]+\/analytics$/);
      const viewRows = page.getByTestId("chart-section-views").getByTestId("chart-row");
      for (let snapshots = 2; snapshots <= 4; snapshots++) {
        await sandboxControl(request, sandboxURL, "POST", "advance-time", { ms: 4 * HOUR_MS });
        await expect
          .poll(
            async () => {
              await page.goto(analyticsPath!);
              return viewRows.count();
            },
            { timeout: 45_000, intervals: [2_000] },
          )
          .toBeGreaterThanOrEqual(snapshots);
      }

      // Charts drawn (uPlot's canvas) with their tables; the range picker keeps ?range=.
      await expect(page.getByRole("heading", { name: `Analytics · ${name}` })).toBeVisible();
      for (const id of ["followers", "views", "engagement"]) {
        const section = page.getByTestId(`chart-section-${id}`);
        await expect(section.getByTestId("chart").locator("canvas").first()).toBeVisible();
        expect(await section.getByTestId("chart-row").count(), `${id} table rows`).toBeGreaterThanOrEqual(2);
      }
      // The table alternative opens to real rows.
      await page.getByTestId("chart-section-views").getByText("Show as table").click();
      await expect(viewRows.first()).toBeVisible();
      await check("analytics");
      await page.getByRole("link", { name: "7 days", exact: true }).click();
      await expect(page).toHaveURL(/\?range=7$/);
      await expect(page.getByRole("link", { name: "7 days", exact: true })).toHaveAttribute("aria-current", "page");
      await expect(page.getByTestId("chart-section-followers").getByTestId("chart").locator("canvas").first()).toBeVisible();

      // The CSV export downloads: a header row and a data row per snapshot.
      const downloading = page.waitForEvent("download");
      await page.getByRole("link", { name: /Download CSV/ }).click();
      const download = await downloading;
      expect(download.suggestedFilename()).toMatch(/\.csv$/);
      const lines = (await readFile((await download.path())!, "utf8")).trim().split(/\r?\n/);
      expect(lines[0]).toMatch(/^[a-z_]+(,[a-z_]+)+$/i);
      expect(lines.length - 1).toBeGreaterThanOrEqual(2);

      // The videos page links back to the analytics.
      await page.goto(analyticsPath!.replace(/analytics$/, "videos"));
      await expect(page.getByRole("link", { name: /Analytics/ })).toHaveAttribute("href", analyticsPath!);
      await check("videos");

      // Upload: the chosen video's preview plays (CSP media-src allows blob:).
      await page.goto(analyticsPath!.replace(/analytics$/, "upload"));
      await page.getByLabel("Video file").setInputFiles(fixture("valid.webm"));
      const preview = page.getByLabel("Preview");
      await expect(preview).toBeVisible();
      await expect.poll(() => preview.evaluate((video) => (video as HTMLVideoElement).readyState)).toBeGreaterThanOrEqual(2);
      await preview.evaluate((video) => (video as HTMLVideoElement).play());
      await expect.poll(() => preview.evaluate((video) => (video as HTMLVideoElement).currentTime)).toBeGreaterThan(0);
      await check("upload-preview");

      // Leave the sandbox account free.
      await page.goto("/settings/accounts");
      const card = page.getByRole("article", { name: `TikTok account ${name}` });
      await card.getByRole("button", { name: "Disconnect" }).click();
      await card.getByRole("button", { name: "Yes, disconnect" }).click();
      await expect(card).toHaveCount(0);
    });
  });
}
