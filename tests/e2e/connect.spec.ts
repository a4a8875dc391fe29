import { test, expect, signUp } from "./helpers";
import { accountCard, banner, connectTikTok, decideAtConsentPage, sandboxCounters, sandboxRequests } from "./tiktok";

test.describe("Connect TikTok (the manual checklist)", () => {
  test("connect → card with name and avatar → refresh moments later spends no token call → disconnect revokes at TikTok", async ({ page, request, sandboxURL }) => {
    await signUp(page);
    const before = await sandboxCounters(request, sandboxURL);

    // Authorization URL opens TikTok's consent page; the user approves.
    await connectTikTok(page, sandboxURL, { account: "Ava Sandbox" });
    await expect(banner(page)).toHaveText("Your TikTok account @ava.sandbox is connected.");
    expect(page.url()).not.toMatch(/[?&](code|state)=/);
    // Shown once: the query that asked for it leaves the address bar, so a reload does not repeat it.
    await expect.poll(() => new URL(page.url()).search).toBe("");

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
    await expect(card.getByText("Access renewed.")).toBeVisible();
    await expect(card.getByTestId("token-expiry")).toHaveText("renewed automatically by SocialFlow");
    await expect(card).not.toContainText(/expires in/);
    expect((await sandboxCounters(request, sandboxURL)).tokenByGrant.refresh_token).toBe(refreshesBefore);
    expect(await card.getByTestId("token-expiry").getAttribute("title")).toBe(expiryBefore);

    // Disconnect (with confirmation) removes it, and TikTok saw a successful revoke.
    const revokesBefore = (await sandboxCounters(request, sandboxURL)).revoke;
    await card.getByRole("button", { name: "Disconnect" }).click();
    await card.getByRole("button", { name: "Yes, disconnect" }).click();
    await expect(card).toHaveCount(0);
    await expect(page.getByText("No accounts connected yet")).toBeVisible();
    // The old "connected" banner does not outlive the account: a disconnect confirmation replaces it.
    await expect(banner(page)).toHaveText("Your TikTok account is disconnected. SocialFlow no longer has access to it.");
    await page.reload();
    await expect(banner(page)).toHaveCount(0);
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

  test("upload and stats unticked at TikTok → Missing permission in words → Grant permission → full permission, named on return", async ({ page, sandboxURL }) => {
    await signUp(page);
    await connectTikTok(page, sandboxURL, { account: "Ben Private", untick: ["video.upload", "user.info.stats"] });
    const card = accountCard(page, "Ben Private");
    await expect(card.getByTestId("account-status")).toHaveText("Missing permission");
    await expect(card.getByTestId("account-status")).toHaveClass(/amber/);
    const missing = card.getByTestId("missing-permission");
    await expect(missing).toContainText("You didn't allow SocialFlow to upload videos to this account.");
    await expect(missing).toContainText("Follower count not shared.");
    await expect(card.getByTestId("posting-approval-notice")).toHaveCount(0);
    await expect(card).not.toContainText("approval");
    await expect(card.getByRole("link", { name: "Upload a video" })).toHaveCount(0);
    await expect(card.getByTestId("account-handle")).toHaveText("@ben.private");
    await expect(card.getByTestId("account-followers")).toHaveCount(0);

    // Grant permission: TikTok's consent page again (every box ticked), then back with the same account.
    await missing.getByRole("button", { name: "Grant permission" }).click();
    await decideAtConsentPage(page, sandboxURL, { account: "Ben Private" });
    await expect(banner(page)).toHaveText("@ben.private is connected again.");
    await expect(card.getByTestId("account-status")).toHaveText("Connected");
    await expect(card.getByTestId("missing-permission")).toHaveCount(0);
    await expect(card.getByTestId("account-followers")).toHaveText(/followers$/);
    await expect(card.getByRole("list", { name: "Granted permissions" })).toContainText("Upload videos to your inbox");
    await expect(card.getByRole("link", { name: "Upload a video" })).toBeVisible();
    await expect(page.getByRole("article")).toHaveCount(1);
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
