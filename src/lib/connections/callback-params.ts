import { z } from "zod";

/** Bounds on what a provider callback may carry (docs/security.md S11): larger is refused unread. */
export const CALLBACK_LIMITS = {
  url: 4096,
  state: 128,
  code: 1024,
  error: 64,
  errorDescription: 1024,
  scopes: 1024,
} as const;

const SINGLE_VALUED = ["state", "code", "error", "error_description"] as const;

const callbackSchema = z.object({
  state: z.string().min(1).max(CALLBACK_LIMITS.state).optional(),
  code: z.string().min(1).max(CALLBACK_LIMITS.code).optional(),
  error: z.string().min(1).max(CALLBACK_LIMITS.error).optional(),
  error_description: z.string().max(CALLBACK_LIMITS.errorDescription).optional(),
  scopes: z.string().max(CALLBACK_LIMITS.scopes).optional(),
});

export type ParsedCallback =
  | { ok: true; state: string; code: string | undefined; error: string | undefined; scopes: string[] | undefined }
  /** `oversized` answers 400 (S11); the others redirect with a fixed error code. */
  | { ok: false; reason: "oversized" | "repeated" | "missing_state" };

/**
 * Reads an authorization response (RFC 6749 §4.1.2) from the callback URL. Values are decoded
 * exactly once, by URLSearchParams (S13); a parameter given twice is an attack or a bug, never
 * guessed at (S10, RFC 9700 §4.5 mix-up/injection).
 */
export function parseCallbackUrl(rawUrl: string, options: { scopeParam: string }): ParsedCallback {
  if (rawUrl.length > CALLBACK_LIMITS.url) return { ok: false, reason: "oversized" };
  const params = new URL(rawUrl).searchParams;
  for (const name of [...SINGLE_VALUED, options.scopeParam]) {
    if (params.getAll(name).length > 1) return { ok: false, reason: "repeated" };
  }
  // An empty value (`state=`) is a missing one: it must get the error redirect, not a bare 400 (S4).
  // Any other parameter (Google's `authuser`, `prompt`, `hd`, `iss`) is ignored.
  const values = Object.fromEntries(SINGLE_VALUED.map((n) => [n, params.get(n) || undefined]));
  const parsed = callbackSchema.safeParse({ ...values, scopes: params.get(options.scopeParam) || undefined });
  if (!parsed.success) return { ok: false, reason: "oversized" };
  const { state, code, error, scopes } = parsed.data;
  if (!state) return { ok: false, reason: "missing_state" };
  return { ok: true, state, code, error, scopes: scopes === undefined ? undefined : splitScopes(scopes) };
}

/**
 * A granted-scope list as providers write it: comma-separated (TikTok) or space-separated
 * (RFC 6749 §3.3, Google). Scope ids contain neither, so both are separators.
 */
export function splitScopes(value: string): string[] {
  return [...new Set(value.split(/[,\s]+/).filter(Boolean))];
}
