/**
 * `npm run sandbox:google` — runs the Google/YouTube sandbox until Ctrl-C.
 * Env: GOOGLE_SANDBOX_PORT (default 4011), GOOGLE_SANDBOX_HOST (default 127.0.0.1),
 *      GOOGLE_SANDBOX_REDIRECT_URIS (comma list, default http://localhost:3000/api/oauth/youtube/callback).
 * Prints only its URLs: never a token or secret.
 */
import { startGoogleSandbox } from "./index";
import { DEFAULT_REDIRECT_URI } from "./options";

const port = Number(process.env.GOOGLE_SANDBOX_PORT ?? 4011);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`GOOGLE_SANDBOX_PORT must be a port number, got ${JSON.stringify(process.env.GOOGLE_SANDBOX_PORT)}`);
  process.exit(2);
}
const host = process.env.GOOGLE_SANDBOX_HOST ?? "127.0.0.1";
const redirectUris = (process.env.GOOGLE_SANDBOX_REDIRECT_URIS ?? DEFAULT_REDIRECT_URI)
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean);

// No top-level await: package.json has no "type": "module", so tsx runs this file as CommonJS.
async function main(): Promise<void> {
  const sandbox = await startGoogleSandbox({ port, host, redirectUris });
  console.log(`Google sandbox listening on ${sandbox.url} (authorize: ${sandbox.url}/o/oauth2/v2/auth, token: ${sandbox.url}/token, control: ${sandbox.url}/__sandbox/)`);
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  console.error(`Google sandbox failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
