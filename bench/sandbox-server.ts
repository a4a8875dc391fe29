/**
 * The TikTok and Google sandboxes in their own process for the benchmark, so their CPU is not
 * the benchmarked process's CPU. Started with `fork(..., { execArgv: ["--import", "tsx"] })`; answers requests
 * over the IPC channel (bulk token issuing for seeding 100k accounts, counters, token states)
 * that would take minutes one HTTP call at a time.
 */
import { startTikTokSandbox, type Counters, type IssuedTokens, type TokenState } from "../sandbox/tiktok/index";
import {
  startGoogleSandbox,
  type Counters as GoogleCounters,
  type IssuedTokens as GoogleIssuedTokens,
  type TokenState as GoogleTokenState,
} from "../sandbox/google/index";

export type SandboxRequest =
  | { id: number; type: "issue"; requests: { openId: string; scopes: string[] }[] }
  | { id: number; type: "counters" }
  | { id: number; type: "tokenStates"; refreshTokens: string[] }
  | { id: number; type: "usage" }
  | { id: number; type: "googleIssue"; requests: { accountId: string; scopes: string[] }[] }
  | { id: number; type: "googleCounters" }
  | { id: number; type: "googleTokenStates"; refreshTokens: string[] };

export type SandboxResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string }
  | { ready: true; url: string; googleUrl: string };

export type SandboxAnswers = {
  issue: IssuedTokens[];
  counters: Counters;
  tokenStates: Partial<Record<TokenState, number>>;
  usage: { cpuUserMs: number; cpuSystemMs: number; maxRssMb: number };
  googleIssue: GoogleIssuedTokens[];
  googleCounters: GoogleCounters;
  googleTokenStates: Partial<Record<GoogleTokenState, number>>;
};

function countStates<S extends string>(tokens: string[], stateOf: (token: string) => S): Partial<Record<S, number>> {
  const states: Partial<Record<S, number>> = {};
  for (const token of tokens) {
    const state = stateOf(token);
    states[state] = (states[state] ?? 0) + 1;
  }
  return states;
}

async function main(): Promise<void> {
  if (!process.send) throw new Error("bench/sandbox-server.ts must be started with fork() (it talks over IPC)");
  const sandbox = await startTikTokSandbox({ port: Number(process.env.SANDBOX_PORT ?? 0) });
  const google = await startGoogleSandbox({ port: 0 });
  const send = (message: SandboxResponse) => process.send!(message);

  process.on("message", (message: SandboxRequest) => {
    try {
      switch (message.type) {
        case "issue":
          return send({ id: message.id, ok: true, result: message.requests.map((r) => sandbox.control.issueTokensDirectly(r)) });
        case "counters":
          return send({ id: message.id, ok: true, result: sandbox.control.counters() });
        case "tokenStates":
          return send({ id: message.id, ok: true, result: countStates<TokenState>(message.refreshTokens, (t) => sandbox.control.tokenState(t)) });
        case "googleIssue":
          return send({ id: message.id, ok: true, result: message.requests.map((r) => google.control.issueTokensDirectly(r)) });
        case "googleCounters":
          return send({ id: message.id, ok: true, result: google.control.counters() });
        case "googleTokenStates":
          return send({ id: message.id, ok: true, result: countStates<GoogleTokenState>(message.refreshTokens, (t) => google.control.tokenState(t)) });
        case "usage": {
          const usage = process.resourceUsage();
          return send({
            id: message.id,
            ok: true,
            result: { cpuUserMs: usage.userCPUTime / 1000, cpuSystemMs: usage.systemCPUTime / 1000, maxRssMb: usage.maxRSS / 1024 },
          });
        }
      }
    } catch (error) {
      send({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  });
  process.on("disconnect", () => void Promise.all([sandbox.close(), google.close()]).then(() => process.exit(0)));
  send({ ready: true, url: sandbox.url, googleUrl: google.url });
}

main().catch((error: unknown) => {
  console.error(`bench sandbox failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
