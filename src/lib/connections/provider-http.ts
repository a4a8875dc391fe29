import diagnosticsChannel from "node:diagnostics_channel";
import type { Readable } from "node:stream";
import { peekProcessSingleton, setProcessSingleton } from "@/lib/process-registry";
import { readBoundedText } from "@/lib/http/read-bounded-text";
import { ProviderRequestError } from "./errors";
import { providerAgent } from "./provider-agent";

/** TikTok's token endpoint must answer within this (docs/security.md S18: ≤ 10 s). */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** No legitimate provider response is near this; a larger one is cut off unread. */
const MAX_RESPONSE_BYTES = 256 * 1024;
/**
 * The statuses WHATWG fetch treats as redirects (https://fetch.spec.whatwg.org/#redirect-status).
 * None is ever followed: a token request must not be replayed elsewhere, so one is a network
 * error, as fetch's `redirect: "error"` made it.
 */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface ProviderRequestInit {
  method: "GET" | "POST";
  headers: Record<string, string>;
  /** A form or JSON text; nothing streamed goes through here (uploads use chunk-sender.ts). */
  body?: string;
}

export interface ProviderResponse {
  status: number;
  /** Parsed JSON, or undefined when the body was not a JSON object. Never the raw text. */
  json: Record<string, unknown> | undefined;
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * Published after every exchange, when anyone listens (the bench's provider timing, tests):
 * `durationMs` from sending to the last byte read, `timeoutMs` the bound it ran under.
 */
export const PROVIDER_EXCHANGE_CHANNEL = "socialflow.provider.exchange";
export interface ProviderExchangeMessage {
  timeoutMs: number;
  durationMs: number;
}
const exchangeChannel = diagnosticsChannel.channel(PROVIDER_EXCHANGE_CHANNEL);

declare module "@/lib/process-registry" {
  interface ProcessSlots {
    /** A fetch every providerRequest goes through instead of the agent (route-level tests). */
    providerFetchForTests: FetchLike;
  }
}

/** Route-level tests see (or answer) every provider exchange of the app's own services. */
export function setProviderFetchForTests(fetch: FetchLike | undefined): void {
  setProcessSingleton("providerFetchForTests", fetch);
}

/** What one exchange came to, before parsing. */
interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
}

/**
 * The one place SocialFlow talks HTTP to an OAuth provider: a timeout on the whole exchange,
 * a size cap, no redirects, JSON-object-only bodies, and nothing of the body in any error or
 * log (docs/security.md S18, S19). It goes out on the process's keep-alive agent
 * (provider-agent.ts); `options.fetch` (tests' fake transports) replaces it.
 */
export async function providerRequest(
  url: string,
  init: ProviderRequestInit,
  options: { timeoutMs?: number; fetch?: FetchLike } = {},
): Promise<ProviderResponse> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fetchImpl = options.fetch ?? peekProcessSingleton("providerFetchForTests");
  const observed = exchangeChannel.hasSubscribers;
  const started = observed ? performance.now() : 0;
  try {
    const answer = fetchImpl ? await viaFetch(fetchImpl, url, init, timeoutMs) : await viaAgent(url, init, timeoutMs);
    // Media types are case-insensitive (RFC 9110 §8.3.1): "Application/JSON" is JSON too.
    return { status: answer.status, json: answer.contentType.toLowerCase().includes("json") ? parseObject(answer.text) : undefined };
  } finally {
    if (observed) exchangeChannel.publish({ timeoutMs, durationMs: performance.now() - started } satisfies ProviderExchangeMessage);
  }
}

async function viaAgent(url: string, init: ProviderRequestInit, timeoutMs: number): Promise<RawAnswer> {
  const target = new URL(url);
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  try {
    let response;
    try {
      response = await providerAgent().request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: init.method,
        // fetch asked for gzip and unpacked it; these bodies are small, so ask for none.
        headers: { "accept-encoding": "identity", ...init.headers },
        body: init.body,
        signal: abort.signal,
      });
    } catch {
      throw new ProviderRequestError(timedOut ? "timeout" : "network");
    }
    if (REDIRECT_STATUSES.has(response.statusCode)) {
      // Dropped unread; undici reports the drop as an 'error' on the body, expected here.
      response.body.on("error", () => {}).destroy();
      throw new ProviderRequestError("network");
    }
    let text: string;
    try {
      text = await readCapped(response.body, MAX_RESPONSE_BYTES);
    } catch {
      throw new ProviderRequestError(timedOut ? "timeout" : "malformed_response", response.statusCode);
    }
    const contentType = response.headers["content-type"];
    return { status: response.statusCode, contentType: (Array.isArray(contentType) ? contentType[0] : contentType) ?? "", text };
  } finally {
    clearTimeout(timer);
  }
}

/** Reads the body as a Node stream; past `maxBytes` the rest is not read and the socket is dropped. */
async function readCapped(body: Readable, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      throw new Error("response too large");
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

/** The same exchange through an injected fetch (tests' fake and tapped transports). */
async function viaFetch(fetchImpl: FetchLike, url: string, init: ProviderRequestInit, timeoutMs: number): Promise<RawAnswer> {
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetchImpl(url, { ...init, signal, redirect: "error", cache: "no-store" });
  } catch (error) {
    throw new ProviderRequestError(isTimeout(error) ? "timeout" : "network");
  }
  let text: string;
  try {
    text = await readCappedWeb(response, MAX_RESPONSE_BYTES);
  } catch (error) {
    throw new ProviderRequestError(isTimeout(error) ? "timeout" : "malformed_response", response.status);
  }
  return { status: response.status, contentType: response.headers.get("content-type") ?? "", text };
}

async function readCappedWeb(response: Response, maxBytes: number): Promise<string> {
  const read = await readBoundedText(response, maxBytes);
  if (!read.ok) throw new Error("response too large");
  return read.text;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
