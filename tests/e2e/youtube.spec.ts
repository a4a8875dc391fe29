import { randomBytes } from "node:crypto";
import { test, expect, signUp, instanceFor } from "./helpers";
import { banner } from "./tiktok";
import { addGoogleTestUser, channelCard, connectYouTube, googleCounters } from "./youtube";

test.describe("Connect YouTube (Google OAuth through the Google sandbox)", () => {
  test("connect a channel in Google's chooser → its card → refresh → recent videos → disconnect revokes at Google", async ({ page, request, baseURL }) => {
    const google = instanceFor(baseURL).googleSandboxURL;
    const identity = await addGoogleTestUser(request, google, `gsb-e2e-${randomBytes(4).toString("hex")}`);
    await signUp(page);
    const before = await googleCounters(request, google);

    // Both networks are offered; the chooser and the consent screen are Google's (the sandbox's).
    await connectYouTube(page, google, identity.id);
    await expect(banner(page)).toHaveText(/^Your YouTube account @load\S+ is connected\.$/);
    expect(page.url()).not.toMatch(/[?&](code|state)=/);
    expect((await googleCounters(request, google)).tokenByGrant.authorization_code).toBe(before.tokenByGrant.authorization_code + 1);
    await expect(page.getByRole("button", { name: "Connect TikTok" })).toBeVisible();

    // The card is the channel's: title, @handle, subscribers, YouTube's permissions in words.
    const card = channelCard(page, identity.channelTitle);
    await expect(card).toBeVisible();
    await expect(card.getByTestId("account-status")).toHaveText("Connected");
    await expect(card.getByTestId("account-handle")).toHaveText(/^@load/);
    await expect(card.getByTestId("account-subscribers")).toHaveText(/subscribers$/);
    await expect(card.getByRole("list", { name: "Granted permissions" })).toContainText("See your channel and its videos");
    await expect(card.getByTestId("missing-permission")).toHaveCount(0);
    await expect(card.getByTestId("posting-approval-notice")).toHaveCount(0);

    // Refresh goes to YouTube's route (moments after connecting, no token call is spent).
    const refreshed = page.waitForResponse((r) => r.url().endsWith("/api/oauth/youtube/refresh"));
    await card.getByRole("button", { name: "Refresh" }).click();
    expect((await refreshed).status()).toBe(200);
    await expect(card.getByText("Access renewed.")).toBeVisible();

    // Recent videos from the uploads playlist, with Load more following YouTube's page token.
    await card.getByRole("link", { name: "Recent videos" }).click();
    const list = page.getByRole("list", { name: "Recent videos" });
    await expect(list.getByRole("listitem")).toHaveCount(12);
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => list.getByRole("listitem").count()).toBeGreaterThan(12);
    await expect(list.getByRole("link", { name: "Open on YouTube" }).first()).toHaveAttribute("href", /^https:\/\/www\.youtube\.com\/watch\?v=/);

    // Disconnect (with confirmation) removes it and revokes the grant at Google.
    await page.goto("/settings/accounts");
    const revokesBefore = (await googleCounters(request, google)).revoke;
    await card.getByRole("button", { name: "Disconnect" }).click();
    await card.getByRole("button", { name: "Yes, disconnect" }).click();
    await expect(card).toHaveCount(0);
    await expect(page.getByText("No accounts connected yet")).toBeVisible();
    await expect(banner(page)).toHaveText("Your YouTube account is disconnected. SocialFlow no longer has access to it.");
    expect((await googleCounters(request, google)).revoke).toBe(revokesBefore + 1);
    const grants = (await (await request.get(`${google}/__sandbox/grants?account=${identity.id}`)).json()) as unknown;
    expect(JSON.stringify(grants)).not.toContain("youtube");
  });
});
