/**
 * `npm run dev`: the whole app on one command. With no TikTok credentials (or
 * TIKTOK_SANDBOX=on) it starts the local TikTok sandbox and points SocialFlow at it through
 * the configuration contract alone: TIKTOK_AUTH_URL, TIKTOK_API_BASE_URL and the sandbox's
 * client key and secret. The same for Google/YouTube without GOOGLE_CLIENT_ID (port
 * GOOGLE_SANDBOX_PORT, default 4011). The database is the embedded PGlite unless DATABASE_URL is set.
 * Ports: PORT (app, default 3000) and SANDBOX_PORT (sandbox, default 4010); a taken default
 * moves to the next free port, a taken explicit one stops with a message (scripts/dev-ports.ts).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { startTikTokSandbox } from "../sandbox/tiktok/index";
import { DEFAULT_CLIENT } from "../sandbox/tiktok/options";
import { startGoogleSandboxForDev } from "./dev-google-sandbox";
import { portFromEnv, probePort, startOnFreePort } from "./dev-ports";
import { applyDevAnalyticsInterval, devStatsTimeScale } from "./dev-analytics";

async function main(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile?.(".env");
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  // The app's URL carries its port (OAuth redirect URI, Better Auth's origin check): with a
  // configured URL the port is as fixed as an explicit PORT.
  const appPort = portFromEnv("PORT", env.PORT, 3000);
  const fixedBy = ["NEXT_PUBLIC_APP_URL", "BETTER_AUTH_URL"].find((name) => env[name]);
  if (fixedBy !== undefined && !appPort.explicit) Object.assign(appPort, { explicit: true, fixedBy });
  const { value: port, moved: appMoved } = await startOnFreePort(appPort, probePort);
  if (appMoved) console.log(`[socialflow] port ${appPort.port} is in use; the app uses ${port} instead (set PORT to choose one)`);
  env.NEXT_PUBLIC_APP_URL ??= `http://localhost:${port}`;

  const sandboxWanted = env.TIKTOK_SANDBOX ? ["on", "true", "1"].includes(env.TIKTOK_SANDBOX) : !env.TIKTOK_CLIENT_KEY;
  let closeSandbox = async () => {};
  if (sandboxWanted) {
    const sandboxPort = portFromEnv("SANDBOX_PORT", env.SANDBOX_PORT, 4010);
    const { value: sandbox, moved } = await startOnFreePort(sandboxPort, (p) =>
      startTikTokSandbox({ port: p, redirectUris: [`${env.NEXT_PUBLIC_APP_URL}/api/oauth/tiktok/callback`] }),
    );
    if (moved) console.log(`[socialflow] port ${sandboxPort.port} is in use; the TikTok sandbox uses ${new URL(sandbox.url).port} instead (set SANDBOX_PORT to choose one)`);
    // Avatars and video covers served by the sandbox itself, so they show without the internet.
    sandbox.control.setOptions({ avatarBaseUrl: `${sandbox.url}/avatars`, coverBaseUrl: `${sandbox.url}/covers`, statsTimeScale: devStatsTimeScale(env) });
    closeSandbox = sandbox.close;
    Object.assign(env, {
      TIKTOK_SANDBOX: "on",
      TIKTOK_CLIENT_KEY: DEFAULT_CLIENT.clientKey,
      TIKTOK_CLIENT_SECRET: DEFAULT_CLIENT.clientSecret,
      TIKTOK_AUTH_URL: `${sandbox.url}/v2/auth/authorize/`,
      TIKTOK_API_BASE_URL: sandbox.url,
    });
    console.log(`[socialflow] TikTok sandbox at ${sandbox.url} (no TikTok credentials configured)`);
  }

  // The Google/YouTube sandbox, on the same terms (scripts/dev-google-sandbox.ts).
  const closeGoogle = await startGoogleSandboxForDev(env);
  // Charts that fill within minutes while a sandbox answers (scripts/dev-analytics.ts).
  if (env.TIKTOK_SANDBOX === "on" || env.GOOGLE_SANDBOX === "on") applyDevAnalyticsInterval(env);
  const closeTikTok = closeSandbox;
  closeSandbox = () => Promise.all([closeTikTok(), closeGoogle()]).then(() => {});

  const next = spawn(process.execPath, [require.resolve("next/dist/bin/next"), "dev", "-p", String(port)], {
    env,
    stdio: "inherit",
  });
  const stop = (signal: NodeJS.Signals) => {
    next.kill(signal);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  next.on("exit", (code) => {
    void closeSandbox().finally(() => process.exit(code ?? 0));
  });
}

main().catch((error: unknown) => {
  console.error(`[socialflow] dev server failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
