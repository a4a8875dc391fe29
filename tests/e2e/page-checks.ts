/**
 * Checks an end-to-end walk makes on every page it visits: no console errors, no horizontal
 * overflow, and a full-page screenshot kept as a CI artifact (.ci/run copies the directory to
 * .ci-out/screenshots/).
 */
import path from "node:path";
import type { Page, TestInfo } from "@playwright/test";
import { expect } from "./fixtures";

/** Where walk screenshots go: under the run's output directory, which Playwright empties per run. */
export function screenshotDir(testInfo: TestInfo): string {
  return path.join(testInfo.project.outputDir, "screenshots");
}

/**
 * Console errors (with the resource or script they name) and uncaught page errors while the test
 * runs. One is left out: Chromium's own request for `/favicon.ico` on the TikTok sandbox's consent
 * page (another origin, not a SocialFlow page) answers 404; the browser makes it outside the
 * page's network events, so only the console reports it.
 */
export function watchPageErrors(page: Page, sandboxURL: string): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const source = message.location().url;
    if (source === `${sandboxURL}/favicon.ico`) return;
    errors.push(`${message.text()}${source ? ` (${source})` : ""}`);
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

/**
 * The page fits the viewport's width (nothing scrolls sideways), has logged no error so far, and
 * is saved as `<width>px-<nn>-<name>.png`.
 */
export async function checkPage(page: Page, testInfo: TestInfo, errors: string[], name: string, step: number): Promise<void> {
  await page.waitForLoadState("load");
  const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  const width = page.viewportSize()?.width ?? widths.viewport;
  await page.screenshot({ path: path.join(screenshotDir(testInfo), `${width}px-${String(step).padStart(2, "0")}-${name}.png`), fullPage: true });
  expect.soft(widths.scroll, `${name} at ${width} px scrolls sideways`).toBeLessThanOrEqual(widths.viewport);
  expect.soft(errors, `console errors by ${name} at ${width} px`).toEqual([]);
}
