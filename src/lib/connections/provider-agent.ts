import { Agent } from "undici";
import { peekProcessSingleton, processSingleton, setProcessSingleton } from "@/lib/process-registry";

declare module "@/lib/process-registry" {
  interface ProcessSlots {
    /** The keep-alive connections to OAuth providers and provider APIs (provider-http.ts). */
    providerAgent: Agent;
  }
}

/**
 * The process's one HTTP dispatcher towards providers: undici's Agent keeps a keep-alive Pool
 * per origin (TikTok's API, Google's token endpoint, …), so a token call reuses a warm
 * connection instead of a TCP and TLS handshake. One per process, not per bundle copy
 * (src/lib/process-registry.ts). Idle sockets are unref'd by undici: they never keep a
 * process alive. undici's own phase timeouts stay at their defaults; `providerRequest`
 * bounds the whole exchange itself.
 */
export function providerAgent(): Agent {
  return processSingleton("providerAgent", () => new Agent());
}

/**
 * Closes the pooled connections once their requests are done (worker shutdown, tests). A later
 * request builds a new agent.
 */
export async function closeProviderAgent(): Promise<void> {
  const agent = peekProcessSingleton("providerAgent");
  if (!agent) return;
  setProcessSingleton("providerAgent", undefined);
  await agent.close();
}
