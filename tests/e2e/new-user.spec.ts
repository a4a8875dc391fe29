import path from "node:path";
import { expect, signUp, test, watchConsole } from "./helpers";
import { accountCard, addSandboxTestAccount, connectTikTok } from "./tiktok";

const fixture = (name: string) => path.join(process.cwd(), "tests", "fixtures", name);

/**
 * What a new user tripped over (issue #13): dead ends (404, favicon, an empty sign-up form),
 * broken thumbnails in the sandbox, and an upload preview that never played.
 */
test.describe("A new user's first steps", () => {
  test("missing pages keep the app shell and a way back; a favicon; an empty sign-up form says what to fill in", async ({ page }) => {
    const errors = watchConsole(page);

    // Signed out, an address that matches nothing: 404, SocialFlow's page, a way to sign in.
    const missing = await page.goto("/no-such-page");
    expect(missing?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "There is nothing at this address" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Sign in" })).toHaveAttribute("href", "/login");
    await expect(page).toHaveTitle("Page not found · SocialFlow");

    // The favicon (app/icon.svg) is linked and served.
    const icon = await page.locator('head link[rel="icon"]').first().getAttribute("href");
    expect(icon).toMatch(/^\/icon\.svg/);
    const served = await page.request.get(icon ?? "");
    expect(served.status()).toBe(200);
    expect(served.headers()["content-type"]).toContain("image/svg+xml");

    // An empty sign-up form: plain messages next to the fields, nothing sent.
    const sent: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/api/auth/")) sent.push(request.url());
    });
    await page.goto("/signup");
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect(page.getByText("Enter your email address.")).toBeVisible();
    await expect(page.getByText("Choose a password of at least 10 characters.")).toBeVisible();
    await expect(page.getByLabel("Email")).toBeFocused();
    await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByText(/Something went wrong/)).toHaveCount(0);
    expect(sent).toEqual([]);

    // Signed in: the same missing address and a page's notFound() render inside the app shell.
    const user = await signUp(page);
    for (const address of ["/no-such-page", "/accounts/00000000-0000-4000-8000-000000000000/videos"]) {
      await page.goto(address);
      await expect(page.getByRole("heading", { name: "There is nothing at this address" })).toBeVisible();
      await expect(page.getByTestId("signed-in-user")).toHaveText(user.email);
      await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    }
    await page.getByRole("link", { name: "Back to the Dashboard" }).click();
    await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
    expect(errors.filter((e) => !/404/.test(e))).toEqual([]);
  });

  test("sandbox thumbnails load from the sandbox; the upload preview plays, and only for a video", async ({ page, request, sandboxURL }) => {
    test.setTimeout(90_000);
    const errors = watchConsole(page);
    await signUp(page);
    // An account of this test's own: another spec may have left a seeded one connected.
    const name = await addSandboxTestAccount(request, sandboxURL, `e2e-new-user-${Date.now()}`);
    await connectTikTok(page, sandboxURL, { account: name });
    const card = accountCard(page, name);

    await card.getByRole("link", { name: "Recent videos" }).click();
    const covers = page.getByRole("list", { name: "Recent videos" }).locator("img");
    await expect(covers.first()).toBeVisible();
    await page.evaluate(() => Promise.all([...document.images].map((img) => (img.complete ? undefined : img.decode().catch(() => undefined)))));
    const loaded = await covers.evaluateAll((imgs) => imgs.map((img) => ({ src: (img as HTMLImageElement).src, width: (img as HTMLImageElement).naturalWidth })));
    expect(loaded.length).toBeGreaterThan(0);
    for (const cover of loaded) {
      expect(new URL(cover.src).origin).toBe(sandboxURL);
      expect(cover.width, cover.src).toBeGreaterThan(0);
    }

    await page.goto("/settings/accounts");
    await card.getByRole("link", { name: "Upload a video" }).click();
    await page.getByLabel("Video file").setInputFiles(fixture("valid.webm"));
    const preview = page.getByLabel("Preview");
    await expect(preview).toBeVisible();
    // The blob: URL loads (CSP media-src): the browser has the first frame.
    await expect.poll(() => preview.evaluate((video) => (video as HTMLVideoElement).readyState)).toBeGreaterThanOrEqual(2);

    // A file accepted by its name but typed as text by the browser: no player.
    await page.getByLabel("Video file").setInputFiles({ name: "notes.mp4", mimeType: "text/plain", buffer: Buffer.from("hello") });
    await expect(page.getByTestId("chosen-file")).toContainText("notes.mp4");
    await expect(page.locator("video")).toHaveCount(0);

    expect(errors.filter((e) => /Content Security Policy|media-src|img-src/i.test(e))).toEqual([]);

    await page.goto("/settings/accounts");
    await card.getByRole("button", { name: "Disconnect" }).click();
    await card.getByRole("button", { name: "Yes, disconnect" }).click();
    await expect(card).toHaveCount(0);
  });
});
