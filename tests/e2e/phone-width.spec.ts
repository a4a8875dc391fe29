import { randomBytes } from "node:crypto";
import type { Locator, Page } from "@playwright/test";
import { expect, instanceFor, signOut, signUp, test, watchConsole } from "./helpers";
import { accountCard, addSandboxTestAccount, connectTikTok } from "./tiktok";
import { addGoogleTestUser, channelCard, connectYouTube } from "./youtube";

/** A phone (iPhone 12–15 width) and a laptop. */
const WIDTHS = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1280, height: 800 },
] as const;

/** The page scrolls sideways when its content is wider than the window. */
async function expectNoHorizontalOverflow(page: Page, what: string): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, `${what}: the page is ${scrollWidth}px wide in a ${innerWidth}px window`).toBeLessThanOrEqual(innerWidth);
}

/** The card's name and @handle are shown whole (not cut with an ellipsis, not clipped), in a column wide enough to read. */
async function expectCardReadable(card: Locator, what: string): Promise<void> {
  await expect(card).toBeVisible();
  for (const testId of ["account-name", "account-handle"]) {
    const element = card.getByTestId(testId);
    if ((await element.count()) === 0) continue;
    const box = await element.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
    expect(box.scrollWidth, `${what} ${testId} is cut`).toBeLessThanOrEqual(box.clientWidth);
  }
  // The bug this guards: the details column squeezed beside the buttons to ~40px ("Av…", a word per line).
  const column = await card.getByTestId("account-details").evaluate((el) => el.getBoundingClientRect().width);
  expect(column, `${what} details column`).toBeGreaterThan(200);
}

for (const size of WIDTHS) {
  test.describe(`Every page at ${size.width}px (${size.name})`, () => {
    test.use({ viewport: { width: size.width, height: size.height } });

    test(`sign-in, sign-up, dashboard, accounts, videos, upload and 404 pages fit ${size.width}px with TikTok and YouTube connected`, async ({
      page,
      request,
      sandboxURL,
      baseURL,
    }) => {
      test.setTimeout(120_000);
      const errors = watchConsole(page);
      const google = instanceFor(baseURL).googleSandboxURL;

      for (const address of ["/login", "/signup", "/no-such-page"]) {
        await page.goto(address);
        await expect(page.getByRole("heading").first()).toBeVisible();
        await expectNoHorizontalOverflow(page, `${address} (signed out)`);
      }

      const user = await signUp(page);
      const tiktokName = await addSandboxTestAccount(request, sandboxURL, `e2e-width-${size.width}-${randomBytes(4).toString("hex")}`);
      const channel = await addGoogleTestUser(request, google, `gsb-width-${size.width}-${randomBytes(4).toString("hex")}`);
      await connectTikTok(page, sandboxURL, { account: tiktokName });
      await connectYouTube(page, google, channel.id);

      const tiktok = accountCard(page, tiktokName);
      const youtube = channelCard(page, channel.channelTitle);
      await expectNoHorizontalOverflow(page, "/settings/accounts");
      await expectCardReadable(tiktok, "TikTok card");
      await expectCardReadable(youtube, "YouTube card");
      await expect(youtube.getByTestId("account-handle")).toBeVisible();

      // The disconnect confirmation is the card's widest state.
      await tiktok.getByRole("button", { name: "Disconnect" }).click();
      await expect(tiktok.getByRole("button", { name: "Yes, disconnect" })).toBeVisible();
      await expectNoHorizontalOverflow(page, "/settings/accounts, confirming a disconnect");
      await tiktok.getByRole("button", { name: "Keep connected" }).click();

      const tiktokId = (await tiktok.getByRole("link", { name: "Recent videos" }).getAttribute("href"))!.split("/")[2];
      const youtubeId = (await youtube.getByRole("link", { name: "Recent videos" }).getAttribute("href"))!.split("/")[2];
      const pages: { address: string; ready: (page: Page) => Locator }[] = [
        { address: "/", ready: (p) => p.getByRole("heading", { level: 1 }) },
        { address: `/accounts/${tiktokId}/videos`, ready: (p) => p.getByRole("list", { name: "Recent videos" }) },
        { address: `/accounts/${youtubeId}/videos`, ready: (p) => p.getByRole("list", { name: "Recent videos" }) },
        { address: `/accounts/${tiktokId}/upload`, ready: (p) => p.getByRole("heading", { level: 1 }) },
        { address: "/no-such-page", ready: (p) => p.getByRole("heading", { name: "There is nothing at this address" }) },
        { address: "/accounts/00000000-0000-4000-8000-000000000000/videos", ready: (p) => p.getByRole("heading", { name: "There is nothing at this address" }) },
      ];
      await page.screenshot({ path: test.info().outputPath(`${size.width}-accounts.png`), fullPage: true });
      for (const [index, { address, ready }] of pages.entries()) {
        await page.goto(address);
        await expect(ready(page)).toBeVisible();
        await expect(page.getByTestId("signed-in-user")).toHaveText(user.email);
        await expectNoHorizontalOverflow(page, address);
        // Kept as artifacts (test-results/e2e-artifacts): how each page looks at this width.
        await page.screenshot({ path: test.info().outputPath(`${size.width}-page-${index}.png`), fullPage: true });
      }
      await signOut(page);

      // The 404 pages answer 404 on purpose; Chromium reports each as a failed resource load.
      expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
    });
  });
}
