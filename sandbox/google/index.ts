/**
 * Local Google/YouTube sandbox: an emulator of Google's OAuth 2.0 for web server apps and the
 * YouTube Data API v3 read methods SocialFlow uses (usage: docs/sandbox.md, "Google sandbox").
 *
 *   const sb = await startGoogleSandbox({ port: 0 });
 *   // authorize: `${sb.url}/o/oauth2/v2/auth`, token: `${sb.url}/token`, revoke: `${sb.url}/revoke`,
 *   // YouTube API base: sb.url (paths /youtube/v3/…)
 *   sb.control.queueFault("token", { kind: "status", status: 503 });
 *   await sb.close();
 */
import { withClock } from "../kit/options";
import { listen } from "../kit/start";
import { createControl } from "./control";
import { optionsSchema } from "./options";
import { createSandboxServer } from "./server";
import { SandboxState } from "./state";
import type { SandboxControl, SandboxOptions } from "./types";

export type {
  Counters,
  EndpointName,
  Fault,
  IssuedTokens,
  QuotaView,
  RequestLogEntry,
  SandboxClient,
  SandboxControl,
  SandboxOptions,
  SandboxOptionsInput,
  Scope,
  SeedAccount,
  SeedChannel,
  SeedVideo,
  TokenState,
} from "./types";
export { KNOWN_SCOPES, QUOTA_COSTS, SIGN_IN_SCOPES } from "./types";
export { DEFAULT_CLIENT, DEFAULT_REDIRECT_URI } from "./options";
export { SEED_ACCOUNTS } from "./seed";
export { s256Challenge } from "./pkce";

export interface RunningGoogleSandbox {
  /** e.g. http://127.0.0.1:4011 (no trailing slash). */
  url: string;
  control: SandboxControl;
  close(): Promise<void>;
}

export async function startGoogleSandbox(options?: Partial<SandboxOptions> & { port?: number; host?: string }): Promise<RunningGoogleSandbox> {
  const { port = 0, host = "127.0.0.1", ...rest } = options ?? {};
  const state = new SandboxState(withClock(optionsSchema, rest));
  const control = createControl(state);
  const { url, close } = await listen(createSandboxServer(state, control), state, port, host);
  return { url, control, close };
}
