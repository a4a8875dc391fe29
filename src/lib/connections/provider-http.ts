import { readBoundedText } from "@/lib/http/read-bounded-text";
import { ProviderRequestError } from "./errors";

/** TikTok's token endpoint must answer within this (docs/security.md S18: ≤ 10 s). */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** No legitimate provider response is near this; a larger one is cut off unread. */
const MAX_RESPONSE_BYTES = 256 * 1024;

export interface ProviderResponse {
  status: number;
  /** Parsed JSON, or undefined when the body was not a JSON object. Never the raw text. */
  json: Record<string, unknown> | undefined;
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * The one place SocialFlow talks HTTP to an OAuth provider: a timeout on the whole exchange,
 * a size cap, JSON-object-only bodies, and nothing of the body in any error or log
 * (docs/security.md S18, S19).
 */
export async function providerRequest(
  url: string,
  init: RequestInit,
  options: { timeoutMs?: number; fetch?: FetchLike } = {},
): Promise<ProviderResponse> {
  const signal = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { ...init, signal, redirect: "error", cache: "no-store" });
  } catch (error) {
    throw new ProviderRequestError(isTimeout(error) ? "timeout" : "network");
  }
  let text: string;
  try {
    text = await readCapped(response, MAX_RESPONSE_BYTES);
  } catch (error) {
    throw new ProviderRequestError(isTimeout(error) ? "timeout" : "malformed_response", response.status);
  }
  // Media types are case-insensitive (RFC 9110 §8.3.1): "Application/JSON" is JSON too.
  const contentType = (response.headers.get("content-type") ?? "").toLowerCase();
  return { status: response.status, json: contentType.includes("json") ? parseObject(text) : undefined };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const read = await readBoundedText(response, maxBytes);
  if (!read.ok) throw new Error("response too large");
  return read.text;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}
