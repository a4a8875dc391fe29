import { expect, projectBaseURL, signOut, signUp, submitSignInForm, expectSignedIn, test } from "./helpers";

/**
 * Where a sign-in leads (S45, S46) and which client address the built app's sign-in limiter
 * counts (S48), against `next start`.
 */
test.describe("return paths and client addresses", () => {
  test("S46: a signed-out visit to a protected page keeps the way back, query included", async ({ page }) => {
    const user = await signUp(page);
    await signOut(page);

    await page.goto("/settings/accounts?error=access_denied&provider=tiktok");
    await expect(page).toHaveURL(/\/login\?next=/);
    expect(new URL(page.url()).searchParams.get("next")).toBe("/settings/accounts?error=access_denied&provider=tiktok");

    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(user.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expectSignedIn(page, user.email);
    // The query arrived (its banner shows), then left the address bar once shown (a reload does not repeat it).
    await expect(page.getByText("You cancelled the connection at TikTok")).toBeVisible();
    await expect(page).toHaveURL(/\/settings\/accounts$/);
  });

  for (const next of ["/..//evil.example/", "/%2e%2e//evil.example/", "/a/..//evil.example/"]) {
    test(`S45: /login?next=${next} stays in the app after sign-in`, async ({ page }) => {
      const user = await signUp(page);
      await signOut(page);
      await submitSignInForm(page, user, `/login?next=${encodeURIComponent(next)}`);
      await expectSignedIn(page, user.email);
      const landed = new URL(page.url());
      expect(landed.origin).toBe(new URL(projectBaseURL()).origin);
      expect(landed.pathname).toBe("/");
    });
  }

  test("S48: behind one proxy (TRUSTED_PROXY_HOPS=1) the limiter counts the right-most X-Forwarded-For entry", async ({ request, clientIP }) => {
    const origin = new URL(projectBaseURL()).origin;
    // A path no other spec uses, limited like sign-in (3 per 10 s per address), so this test
    // does not spend the sign-in budget other tests need.
    const attempt = (forwardedFor: string) =>
      request.post("/api/auth/change-password", {
        data: { currentPassword: "x".repeat(12), newPassword: "y".repeat(12) },
        headers: { Origin: origin, "X-Forwarded-For": forwardedFor },
      });
    const statuses: number[] = [];
    // The client rotates what it puts on the left; the proxy's entry (right-most) stays the same.
    for (let i = 1; i <= 5; i++) statuses.push((await attempt(`198.51.100.${i}, ${clientIP}`)).status());
    expect(statuses.slice(0, 3)).not.toContain(429);
    expect(statuses.slice(3)).toEqual([429, 429]);
    // Other clients behind the same proxy keep their own budget.
    for (let i = 1; i <= 3; i++) expect((await attempt(`${clientIP}, 203.0.113.${100 + i}`)).status()).not.toBe(429);
  });
});
