import {
  expect,
  expectSignedIn,
  formAlert,
  gotoAccounts,
  newUser,
  signIn,
  signedInUser,
  signOut,
  signUp,
  submitSignInForm,
  submitSignUpForm,
  test,
} from "./helpers";

test.describe("email + password sign-in", () => {
  test("sign up, sign out, protected page redirects to /login, sign in, reach Settings → Accounts", async ({ page }) => {
    const user = await signUp(page);
    await expect(page).toHaveURL("/");
    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();

    await signOut(page);
    await expect(signedInUser(page)).toHaveCount(0);

    await page.goto("/settings/accounts");
    await expect(page).toHaveURL(/\/login(\?|$)/);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();

    await signIn(page, user);
    await gotoAccounts(page);
    await expectSignedIn(page, user.email);
    await expect(page.getByText("No accounts connected yet")).toBeVisible();
  });

  test("the session survives a reload and a new tab", async ({ page, context }) => {
    const user = await signUp(page);
    await page.reload();
    await expectSignedIn(page, user.email);
    const other = await context.newPage();
    await other.goto("/settings/accounts");
    await expectSignedIn(other, user.email);
    await other.close();
  });

  test("signing up with an email that is taken says the account already exists", async ({ page }) => {
    const user = await signUp(page);
    await signOut(page);

    await submitSignUpForm(page, newUser({ email: user.email }));
    await expect(formAlert(page)).toContainText(/already exists/i);
    await expect(page).toHaveURL(/\/signup/);
  });

  test("a short password is refused with the minimum length", async ({ page }) => {
    await submitSignUpForm(page, newUser({ password: "short-pw1" })); // 9 characters
    await expect(formAlert(page)).toContainText("at least 10 characters");
    await expect(page).toHaveURL(/\/signup/);
  });

  test("a wrong password is refused without saying which part was wrong", async ({ page }) => {
    const user = await signUp(page);
    await signOut(page);

    await submitSignInForm(page, { email: user.email, password: `${user.password}-wrong` });
    await expect(formAlert(page)).toContainText("don't match");
    await expect(page).toHaveURL(/\/login/);

    // An unknown email gets the very same message (no account enumeration).
    await submitSignInForm(page, { email: `nobody-${user.email}`, password: user.password });
    await expect(formAlert(page)).toContainText("don't match");
  });

  test("rapid sign-up attempts from one client are rate limited", async ({ page }) => {
    await submitSignUpForm(page, newUser({ password: "short-pw1" }));
    await expect(formAlert(page)).toContainText("at least 10 characters");
    const statuses: number[] = [];
    while (statuses.length < 6 && !statuses.includes(429)) {
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().includes("/api/auth/sign-up/email") && r.request().method() === "POST"),
        page.getByRole("button", { name: "Sign up" }).click(),
      ]);
      statuses.push(response.status());
    }
    expect(statuses, "one client's rapid sign-up attempts end in HTTP 429").toContain(429);
    await expect(formAlert(page)).toContainText("Too many attempts");
  });
});
