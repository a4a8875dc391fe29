/**
 * Local TikTok sandbox: a faithful emulator of TikTok's Login Kit OAuth and v2 APIs
 * (behaviour: TikTok for Developers, https://developers.tiktok.com/doc; usage: docs/sandbox.md).
 *
 *   const sb = await startTikTokSandbox({ port: 0 });
 *   // authorize: `${sb.url}/v2/auth/authorize/`, API base: sb.url
 *   sb.control.queueFault("token", { kind: "status", status: 503 });
 *   await sb.close();
 */
import type { AddressInfo } from "node:net";
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
  const { port = 0, host = "127.0.0.1", now, ...rest } = options ?? {};
  const checked = optionsSchema.parse(rest);
  const state = new SandboxState(now === undefined ? checked : { ...checked, now });
  const control = createControl(state);
  const { server, close } = createSandboxServer(state, control);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  const url = `http://${shownHost}:${addr.port}`;
  state.baseUrl = url;
  let closed: Promise<void> | undefined;
  return { url, control, close: () => (closed ??= close()) };
}
