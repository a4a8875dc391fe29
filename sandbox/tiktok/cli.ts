/**
 * `npm run sandbox` — runs the TikTok sandbox until Ctrl-C.
 * Env: SANDBOX_PORT (default 4010), SANDBOX_HOST (default 127.0.0.1),
 *      SANDBOX_REDIRECT_URIS (comma list, default http://localhost:3000/api/oauth/tiktok/callback).
 * Prints only its URL: never a token or secret.
 */
import { runSandboxCli } from "../kit/cli";
import { startTikTokSandbox } from "./index";
import { DEFAULT_REDIRECT_URI } from "./options";

runSandboxCli({
  name: "TikTok sandbox",
  envPrefix: "SANDBOX_",
  defaultPort: 4010,
  defaultRedirectUri: DEFAULT_REDIRECT_URI,
  start: startTikTokSandbox,
  banner: (url) => `TikTok sandbox listening on ${url} (authorize: ${url}/v2/auth/authorize/, control: ${url}/__sandbox/)`,
});
