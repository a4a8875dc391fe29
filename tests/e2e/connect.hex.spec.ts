import { test, expect, signUp } from "./helpers";
import { accountCard, banner, connectTikTok, queueSandboxFault } from "./tiktok";

// Instance B: TIKTOK_PKCE_ENCODING=hex against a sandbox that verifies hex challenges and sends
// OAuth errors with HTTP 200.
test.describe("Connect TikTok with hex PKCE and OAuth errors sent as HTTP 200", () => {
  test("the whole connect flow works with hex PKCE", async ({ page, sandboxURL }) => {
    await signUp(page);
    await connectTikTok(page, sandboxURL, { account: "Ava Sandbox" });
    await expect(banner(page)).toHaveText("Your TikTok account @ava.sandbox is connected.");
    await expect(accountCard(page, "Ava Sandbox").getByTestId("account-status")).toHaveText("Connected");
  });

  test("an invalid_grant sent with HTTP 200 is an error, not a connection", async ({ page, request, sandboxURL }) => {
    await signUp(page);
    await queueSandboxFault(request, sandboxURL, "token", { kind: "oauth_error", error: "invalid_grant" });
    await connectTikTok(page, sandboxURL, { account: "Ava Sandbox" });
    await expect(banner(page)).toHaveText("TikTok didn't accept the sign-in. Please try connecting again.");
    await expect(page.getByText("No accounts connected yet")).toBeVisible();
  });
});
