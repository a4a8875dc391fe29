import { expect, expectSignedIn, instanceFor, sandboxControl, signUpViaApi, test } from "./helpers";

interface SandboxOptionsView {
  pkceMode: string;
  oauthErrorStatus: number;
  avatarBaseUrl?: string;
  coverBaseUrl?: string;
  clients: { clientKey: string; redirectUris: string[] }[];
}

/**
 * The project's app instance and TikTok sandbox are wired as tests/e2e/servers.ts says: the
 * sandbox runs with the instance's PKCE mode and OAuth error status and accepts exactly the
 * app's redirect URI, the app is healthy and shows the "Sandbox" badge. Shared by
 * instances.spec.ts (instance A) and instances.hex.spec.ts (instance B).
 */
export function describeInstanceWiring(): void {
  test.describe("e2e instance wiring", () => {
    test("app and TikTok sandbox run with this project's settings", async ({ page, request, baseURL, sandboxURL }) => {
      const instance = instanceFor(baseURL);
      expect(sandboxURL).toBe(instance.sandboxURL);

      const options = await sandboxControl<SandboxOptionsView>(request, sandboxURL, "GET", "options");
      expect(options.pkceMode).toBe(instance.pkce);
      expect(options.oauthErrorStatus).toBe(instance.oauthErrorStatus);
      expect(options.avatarBaseUrl).toBe(`${sandboxURL}/avatars`);
      expect(options.coverBaseUrl).toBe(`${sandboxURL}/covers`);
      expect(options.clients[0]).toMatchObject({
        clientKey: "sandbox_client_key",
        redirectUris: [`${instance.appURL}/api/oauth/tiktok/callback`],
      });

      const health = await request.get("/api/health");
      expect(health.status()).toBe(200);
      expect(await health.json()).toMatchObject({ status: "ok", database: { ok: true } });

      const user = await signUpViaApi(page);
      await page.goto("/");
      await expectSignedIn(page, user.email);
      await expect(page.getByText("Sandbox", { exact: true })).toBeVisible();
    });
  });
}
