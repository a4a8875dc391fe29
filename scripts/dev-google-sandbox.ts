/**
 * The Google/YouTube half of `npm run dev`: with no GOOGLE_CLIENT_ID (or GOOGLE_SANDBOX=on) the
 * local Google sandbox starts (GOOGLE_SANDBOX_PORT, default 4011, with the same port rules as the
 * TikTok sandbox: scripts/dev-ports.ts) and `env` points the app at it through the configuration
 * contract alone. Returns how to stop it (a no-op when it was not wanted).
 */
import { startGoogleSandbox } from "../sandbox/google/index";
import { DEFAULT_CLIENT } from "../sandbox/google/options";
import { portFromEnv, startOnFreePort } from "./dev-ports";
import { devStatsTimeScale } from "./dev-analytics";

export async function startGoogleSandboxForDev(env: Record<string, string | undefined>): Promise<() => Promise<void>> {
  const wanted = env.GOOGLE_SANDBOX ? ["on", "true", "1"].includes(env.GOOGLE_SANDBOX) : !env.GOOGLE_CLIENT_ID;
  if (!wanted) return async () => {};
  const choice = portFromEnv("GOOGLE_SANDBOX_PORT", env.GOOGLE_SANDBOX_PORT, 4011);
  const { value: sandbox, moved } = await startOnFreePort(choice, (p) =>
    startGoogleSandbox({ port: p, redirectUris: [`${env.NEXT_PUBLIC_APP_URL}/api/oauth/youtube/callback`], statsTimeScale: devStatsTimeScale(env) }),
  );
  if (moved) console.log(`[socialflow] port ${choice.port} is in use; the Google sandbox uses ${new URL(sandbox.url).port} instead (set GOOGLE_SANDBOX_PORT to choose one)`);
  Object.assign(env, {
    GOOGLE_SANDBOX: "on",
    GOOGLE_CLIENT_ID: DEFAULT_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: DEFAULT_CLIENT.clientSecret,
    GOOGLE_AUTH_URL: `${sandbox.url}/o/oauth2/v2/auth`,
    GOOGLE_TOKEN_URL: `${sandbox.url}/token`,
    GOOGLE_REVOKE_URL: `${sandbox.url}/revoke`,
    YOUTUBE_API_BASE_URL: sandbox.url,
  });
  console.log(`[socialflow] Google sandbox at ${sandbox.url} (no Google credentials configured)`);
  return sandbox.close;
}
