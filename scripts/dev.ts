/**
 * `npm run dev`: the whole app on one command. With no TikTok credentials (or
 * TIKTOK_SANDBOX=on) it starts the local TikTok sandbox and points SocialFlow at it through
 * the configuration contract alone: TIKTOK_AUTH_URL, TIKTOK_API_BASE_URL and the sandbox's
 * client key and secret. The database is the embedded PGlite unless DATABASE_URL is set.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { startTikTokSandbox } from "../sandbox/tiktok/index";
import { DEFAULT_CLIENT } from "../sandbox/tiktok/options";

async function main(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile?.(".env");
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  const port = Number(env.PORT ?? 3000);
  env.NEXT_PUBLIC_APP_URL ??= `http://localhost:${port}`;

  const sandboxWanted = env.TIKTOK_SANDBOX ? ["on", "true", "1"].includes(env.TIKTOK_SANDBOX) : !env.TIKTOK_CLIENT_KEY;
  let closeSandbox = async () => {};
  if (sandboxWanted) {
    const sandbox = await startTikTokSandbox({
      port: Number(env.SANDBOX_PORT ?? 4010),
      redirectUris: [`${env.NEXT_PUBLIC_APP_URL}/api/oauth/tiktok/callback`],
    });
    // Avatars and video covers served by the sandbox itself, so they show without the internet.
    sandbox.control.setOptions({ avatarBaseUrl: `${sandbox.url}/avatars`, coverBaseUrl: `${sandbox.url}/covers` });
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
