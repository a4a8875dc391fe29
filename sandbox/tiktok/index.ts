/**
 * Local TikTok sandbox: a faithful emulator of TikTok's Login Kit OAuth and v2 APIs
 * (behaviour: TikTok for Developers, https://developers.tiktok.com/doc; usage: docs/sandbox.md).
 *
 *   const sb = await startTikTokSandbox({ port: 0 });
 *   // authorize: `${sb.url}/v2/auth/authorize/`, API base: sb.url
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
  RateLimits,
  RequestLogEntry,
  SandboxClient,
  SandboxControl,
  SandboxOptions,
  SandboxOptionsInput,
  Scope,
  SeedUser,
  TokenState,
  UploadInfo,
} from "./types";
export { KNOWN_SCOPES } from "./types";
export { DEFAULT_CLIENT, DEFAULT_RATE_LIMITS, DEFAULT_REDIRECT_URI } from "./options";
export { SEED_USERS } from "./seed";
export { s256Challenge } from "./pkce";

export interface RunningSandbox {
  /** e.g. http://127.0.0.1:4010 (no trailing slash). Authorize page: `${url}/v2/auth/authorize/`. */
  url: string;
  control: SandboxControl;
  close(): Promise<void>;
}

export async function startTikTokSandbox(
  options?: Partial<SandboxOptions> & { port?: number; host?: string },
): Promise<{ url: string; control: SandboxControl; close(): Promise<void> }> {
  const { port = 0, host = "127.0.0.1", ...rest } = options ?? {};
  const state = new SandboxState(withClock(optionsSchema, rest));
  const control = createControl(state);
  const { url, close } = await listen(createSandboxServer(state, control), state, port, host);
  return { url, control, close };
}
