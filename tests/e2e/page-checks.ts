/**
 * Checks an end-to-end walk makes on every page it visits: no console errors (collected by
 * helpers' watchConsole), no horizontal overflow, and a full-page screenshot kept as a CI artifact
 * (.ci/run copies the directory to .ci-out/screenshots/).
 */
import path from "node:path";
import type { Page, TestInfo } from "@playwright/test";
import { expect } from "./fixtures";

/** Where walk screenshots go: under the run's output directory, which Playwright empties per run. */
export function screenshotDir(testInfo: TestInfo): string {
  return path.join(testInfo.project.outputDir, "screenshots");
}

/** Responses that failed (HTTP ≥ 400) while the test runs, to name what a "Failed to load resource" console error was. */
export function watchFailedResponses(page: Page): string[] {
  const failed: string[] = [];
  page.on("response", (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  return failed;
}

/**
 * The page fits the viewport's width (nothing scrolls sideways), has logged no error so far, and
 * is saved as `<width>px-<nn>-<name>.png`.
 */
export async function checkPage(page: Page, testInfo: TestInfo, errors: string[], failed: string[], name: string, step: number): Promise<void> {
  await page.waitForLoadState("load");
  const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  const width = page.viewportSize()?.width ?? widths.viewport;
  await page.screenshot({ path: path.join(screenshotDir(testInfo), `${width}px-${String(step).padStart(2, "0")}-${name}.png`), fullPage: true });
  expect.soft(widths.scroll, `${name} at ${width} px scrolls sideways`).toBeLessThanOrEqual(widths.viewport);
  expect.soft(errors, `console errors by ${name} at ${width} px (failed responses: ${failed.join("; ") || "none"})`).toEqual([]);
}
