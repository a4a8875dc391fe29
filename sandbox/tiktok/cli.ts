/**
 * `npm run sandbox` — runs the TikTok sandbox until Ctrl-C.
 * Env: SANDBOX_PORT (default 4010), SANDBOX_HOST (default 127.0.0.1),
 *      SANDBOX_REDIRECT_URIS (comma list, default http://localhost:3000/api/oauth/tiktok/callback).
 * Prints only its URL: never a token or secret.
 */
import { startTikTokSandbox } from "./index";
import { DEFAULT_REDIRECT_URI } from "./options";

const port = Number(process.env.SANDBOX_PORT ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`SANDBOX_PORT must be a port number, got ${JSON.stringify(process.env.SANDBOX_PORT)}`);
  process.exit(2);
}
const host = process.env.SANDBOX_HOST ?? "127.0.0.1";
const redirectUris = (process.env.SANDBOX_REDIRECT_URIS ?? DEFAULT_REDIRECT_URI)
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);

// No top-level await: package.json has no "type": "module", so tsx runs this file as CommonJS.
async function main(): Promise<void> {
  const sandbox = await startTikTokSandbox({ port, host, redirectUris });
  console.log(`TikTok sandbox listening on ${sandbox.url} (authorize: ${sandbox.url}/v2/auth/authorize/, control: ${sandbox.url}/__sandbox/)`);
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  console.error(`TikTok sandbox failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
