import { afterEach, describe, expect, it, vi } from "vitest";
import { freePort, holdPort, releaseHeldPorts } from "../tests/helpers/held-ports";
import { startGoogleSandboxForDev } from "./dev-google-sandbox";

afterEach(async () => {
  vi.restoreAllMocks();
  await releaseHeldPorts();
});

describe("npm run dev: the Google sandbox", () => {
  it("with GOOGLE_CLIENT_ID set (and GOOGLE_SANDBOX unset) nothing starts and env is untouched", async () => {
    const env: Record<string, string | undefined> = { GOOGLE_CLIENT_ID: "real.apps.googleusercontent.com" };
    const close = await startGoogleSandboxForDev(env);
    await close();
    expect(env).toEqual({ GOOGLE_CLIENT_ID: "real.apps.googleusercontent.com" });
  });

  it("without GOOGLE_CLIENT_ID it starts and points GOOGLE_* / YOUTUBE_API_BASE_URL at itself; a taken port set explicitly stops the start", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const env: Record<string, string | undefined> = { NEXT_PUBLIC_APP_URL: "http://localhost:3999", GOOGLE_SANDBOX_PORT: String(await freePort()) };
    const close = await startGoogleSandboxForDev(env);
    try {
      const base = `http://127.0.0.1:${env.GOOGLE_SANDBOX_PORT}`;
      expect(env).toMatchObject({
        GOOGLE_SANDBOX: "on",
        GOOGLE_AUTH_URL: `${base}/o/oauth2/v2/auth`,
        GOOGLE_TOKEN_URL: `${base}/token`,
        GOOGLE_REVOKE_URL: `${base}/revoke`,
        YOUTUBE_API_BASE_URL: base,
      });
      expect(env.GOOGLE_CLIENT_ID).toMatch(/\.apps\.googleusercontent\.com$/);
      // The app's callback is the registered redirect URI.
      const auth = new URL(env.GOOGLE_AUTH_URL ?? "");
      auth.search = new URLSearchParams({ client_id: env.GOOGLE_CLIENT_ID ?? "", redirect_uri: "http://localhost:3999/api/oauth/youtube/callback", response_type: "code", scope: "https://www.googleapis.com/auth/youtube.readonly" }).toString();
      expect((await fetch(auth)).status).toBe(200);
    } finally {
      await close();
    }
    const taken = await holdPort();
    await expect(startGoogleSandboxForDev({ GOOGLE_SANDBOX_PORT: String(taken) })).rejects.toThrow(/^GOOGLE_SANDBOX_PORT=\d+ is already in use/);
  });
});
