/**
 * `npm run sandbox:google` — runs the Google/YouTube sandbox until Ctrl-C.
 * Env: GOOGLE_SANDBOX_PORT (default 4011), GOOGLE_SANDBOX_HOST (default 127.0.0.1),
 *      GOOGLE_SANDBOX_REDIRECT_URIS (comma list, default http://localhost:3000/api/oauth/youtube/callback).
 * Prints only its URLs: never a token or secret.
 */
import { runSandboxCli } from "../kit/cli";
import { startGoogleSandbox } from "./index";
import { DEFAULT_REDIRECT_URI } from "./options";

runSandboxCli({
  name: "Google sandbox",
  envPrefix: "GOOGLE_SANDBOX_",
  defaultPort: 4011,
  defaultRedirectUri: DEFAULT_REDIRECT_URI,
  start: startGoogleSandbox,
  banner: (url) => `Google sandbox listening on ${url} (authorize: ${url}/o/oauth2/v2/auth, token: ${url}/token, control: ${url}/__sandbox/)`,
});
