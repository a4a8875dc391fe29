import path from "node:path";
import { test, expect, signUp } from "./helpers";
import { accountCard, connectTikTok } from "./tiktok";
import { writePaddedVideo } from "../fixtures/padded-video";

const fixture = (name: string) => path.join(process.cwd(), "tests", "fixtures", name);

/**
 * Issue #6 end to end in Chromium: a person sends a video to their TikTok inbox and watches it
 * travel; a file that breaks a rule is refused with the reason. Cleo (a seeded sandbox account)
 * is the one no other spec keeps connected; the spec disconnects her at the end.
 */
test.describe("Upload a video to TikTok", () => {
  test("choose the portrait MP4 → progress to 100 % → 'Sent to your TikTok inbox'; a 1 s video is refused with the rule; 24 MiB arrives whole", async ({ page, sandboxURL }) => {
    test.setTimeout(120_000);
    await signUp(page);
    await connectTikTok(page, sandboxURL, { account: "Cleo Empty" });
    const card = accountCard(page, "Cleo Empty");
    await card.getByRole("link", { name: "Upload a video" }).click();
    await expect(page.getByRole("heading", { name: "Upload a video · Cleo Empty" })).toBeVisible();
    await expect(page.getByText("No uploads from SocialFlow yet.")).toBeVisible();

    // Alerts inside the form (Next.js has its own role=alert route announcer).
    const form = page.getByRole("form", { name: "Upload a video" });

    // Instant check in the browser: not a video type, nothing is sent.
    await page.getByLabel("Video file").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") });
    await expect(form.getByRole("alert")).toContainText("TikTok accepts MP4 (recommended), MOV or WEBM");
    await expect(page.getByRole("button", { name: "Send to TikTok inbox" })).toBeDisabled();

    // The valid fixture, all the way to the inbox.
    await page.getByLabel("Video file").setInputFiles(fixture("valid-portrait.mp4"));
    await expect(page.getByTestId("chosen-file")).toContainText("valid-portrait.mp4");
    await page.getByRole("button", { name: "Send to TikTok inbox" }).click();
    const toServer = page.getByRole("progressbar", { name: "Upload to SocialFlow" });
    const toTikTok = page.getByRole("progressbar", { name: "Sent to TikTok" });
    await expect(toServer).toHaveAttribute("aria-valuenow", "100");
    await expect(toTikTok).toHaveAttribute("aria-valuenow", "100", { timeout: 20_000 });
    await expect(page.getByTestId("upload-status")).toContainText("Sent to your TikTok inbox", { timeout: 20_000 });
    const history = page.getByRole("list", { name: "Past uploads" });
    await expect(history.getByTestId("past-upload").first()).toContainText("Sent to your TikTok inbox");

    // A video that breaks a rule: the server refuses it and says what is allowed.
    await page.getByLabel("Video file").setInputFiles(fixture("too-short-1s.mp4"));
    await page.getByRole("button", { name: "Send to TikTok inbox" }).click();
    const refusal = form.getByRole("alert");
    await expect(refusal).toContainText("breaks TikTok's rules");
    await expect(refusal).toContainText("The video is 1 second long. TikTok needs at least 3 seconds.");
    await expect(history.getByTestId("past-upload")).toHaveCount(2);
    await expect(history.getByTestId("past-upload").first()).toContainText("Not sent");

    // 24 MiB (two chunks at TikTok: 10 MiB and 14 MiB): more than the 10 MB Next.js would buffer for its proxy,
    // so this also proves the upload body bypasses it and arrives whole.
    const big = test.info().outputPath("24mib.mp4");
    await writePaddedVideo(big, 24 * 1024 * 1024);
    await page.getByLabel("Video file").setInputFiles(big);
    await page.getByRole("button", { name: "Send to TikTok inbox" }).click();
    await expect(toTikTok).toHaveAttribute("aria-valuenow", "100", { timeout: 40_000 });
    await expect(page.getByTestId("upload-status")).toContainText("Sent to your TikTok inbox", { timeout: 20_000 });
    await expect(page.getByText("24 MB of 24 MB")).toBeVisible();
    await expect(history.getByTestId("past-upload")).toHaveCount(3);

    // Leave the sandbox account free for the next run.
    await page.goto("/settings/accounts");
    await card.getByRole("button", { name: "Disconnect" }).click();
    await card.getByRole("button", { name: "Yes, disconnect" }).click();
    await expect(card).toHaveCount(0);
  });
});
