import { test, expect, signUp } from "./helpers";
import { accountCard, banner, connectTikTok, sandboxCounters, sandboxRequests } from "./tiktok";

test.describe("Connect TikTok (the manual checklist)", () => {
  test("connect → card with name and avatar → refresh moments later spends no token call → disconnect revokes at TikTok", async ({ page, request, sandboxURL }) => {
    await signUp(page);
    const before = await sandboxCounters(request, sandboxURL);

    // Authorization URL opens TikTok's consent page; the user approves.
    await connectTikTok(page, sandboxURL, { account: "Ava Sandbox" });
    await expect(banner(page)).toHaveText("Your TikTok account is connected.");
    expect(page.url()).not.toMatch(/[?&](code|state)=/);

    // Profile data correct: display name and avatar (served by the sandbox, really loaded).
    const card = accountCard(page, "Ava Sandbox");
    await expect(card).toBeVisible();
    await expect(card.getByTestId("account-status")).toHaveText("Connected");
    const avatar = card.getByRole("img", { name: "Ava Sandbox's avatar" });
    await expect(avatar).toBeVisible();
    await expect.poll(() => avatar.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await expect(card.getByRole("list", { name: "Granted permissions" })).toContainText("Upload videos to your inbox");
    await expect(card.getByTestId("posting-approval-notice")).toHaveCount(0);
    expect((await sandboxCounters(request, sandboxURL)).tokenByGrant.authorization_code).toBe(before.tokenByGrant.authorization_code + 1);

    // Refresh seconds after connecting: the token is brand new, so the app answers with its
    // expiry and spends no token call at TikTok (one manual refresh per account a minute; the
    // refresh itself is covered by tests/integration/refresh-coalesced.test.ts).
    const expiryBefore = await card.getByTestId("token-expiry").getAttribute("title");
    const refreshesBefore = (await sandboxCounters(request, sandboxURL)).tokenByGrant.refresh_token;
    await card.getByRole("button", { name: "Refresh" }).click();
    await expect(card.getByText("Token refreshed.")).toBeVisible();
    expect((await sandboxCounters(request, sandboxURL)).tokenByGrant.refresh_token).toBe(refreshesBefore);
    expect(await card.getByTestId("token-expiry").getAttribute("title")).toBe(expiryBefore);

    // Disconnect (with confirmation) removes it, and TikTok saw a successful revoke.
    const revokesBefore = (await sandboxCounters(request, sandboxURL)).revoke;
    await card.getByRole("button", { name: "Disconnect" }).click();
    await card.getByRole("button", { name: "Yes, disconnect" }).click();
    await expect(card).toHaveCount(0);
    await expect(page.getByText("No accounts connected yet")).toBeVisible();
    expect((await sandboxCounters(request, sandboxURL)).revoke).toBe(revokesBefore + 1);
    const lastRevoke = (await sandboxRequests(request, sandboxURL)).filter((r) => r.endpoint === "revoke").at(-1);
    expect(lastRevoke?.status).toBe(200);
  });

  test("cancel at TikTok → a 'cancelled' banner and no account", async ({ page, sandboxURL }) => {
    await signUp(page);
    await connectTikTok(page, sandboxURL, { decision: "Cancel" });
    await expect(banner(page)).toHaveText("You cancelled the connection at TikTok. Nothing was changed.");
    await expect(page.getByText("No accounts connected yet")).toBeVisible();
  });

  test("granting without video.upload shows the posting-approval notice", async ({ page, sandboxURL }) => {
    await signUp(page);
    await connectTikTok(page, sandboxURL, { account: "Ben Private", untick: ["video.upload"] });
    const card = accountCard(page, "Ben Private");
    await expect(card).toBeVisible();
    await expect(card.getByTestId("posting-approval-notice")).toContainText("Content Posting API");
    await expect(card.getByRole("list", { name: "Granted permissions" })).not.toContainText("Upload videos");
  });

  test("recent videos of a connected account, with Load more", async ({ page, sandboxURL }) => {
    await signUp(page);
    await connectTikTok(page, sandboxURL, { account: "Ava Sandbox" });
    await accountCard(page, "Ava Sandbox").getByRole("link", { name: "Recent videos" }).click();
    const list = page.getByRole("list", { name: "Recent videos" });
    await expect(list.getByRole("listitem")).toHaveCount(12);
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => list.getByRole("listitem").count()).toBeGreaterThan(12);
    await expect(list.getByRole("link", { name: "Open on TikTok" }).first()).toBeVisible();
  });
});
