import { brand } from "@/lib/errors/brand";

/**
 * Error classes with stable codes (in the manner of oauth4webapi). Messages are fixed per
 * code: nothing from a request or a provider response is ever put into one.
 */

/** Why a connection attempt failed: the fixed list the callback may put in `?error=`. */
export const CALLBACK_ERROR_CODES = [
  "access_denied",
  "missing_params",
  "invalid_request",
  "invalid_state",
  "token_exchange_failed",
  "oauth_failed",
  "account_already_linked",
  "provider_error",
  /** The grant names no account SocialFlow can connect (a Google identity without a YouTube channel). */
  "no_account",
  "server_error",
] as const;
export type CallbackErrorCode = (typeof CALLBACK_ERROR_CODES)[number];

const FLOW = brand("OAuthFlowError");
const PROVIDER = brand("OAuthProviderError");
const REQUEST = brand("ProviderRequestError");

export class OAuthFlowError extends Error {
  static [Symbol.hasInstance](value: unknown): boolean {
    return FLOW.test(value);
  }
  override readonly name = "OAuthFlowError";
  constructor(readonly code: CallbackErrorCode) {
    super(`OAuth flow failed: ${code}`);
    FLOW.mark(this);
  }
}

/** The provider answered with an OAuth error (RFC 6749 §5.2), whatever the HTTP status. */
export class OAuthProviderError extends Error {
  static [Symbol.hasInstance](value: unknown): boolean {
    return PROVIDER.test(value);
  }
  override readonly name = "OAuthProviderError";
  readonly code = "oauth_provider_error";
  constructor(
    /** The provider's `error` value, kept only if it is one of the known RFC 6749 codes. */
    readonly error: string,
    readonly status: number,
  ) {
    super(`Provider returned an OAuth error`);
    PROVIDER.mark(this);
  }
}

export type ProviderFailureKind = "timeout" | "network" | "http_status" | "malformed_response";

/** The provider could not be reached, or answered something we cannot trust. Transient unless malformed. */
export class ProviderRequestError extends Error {
  static [Symbol.hasInstance](value: unknown): boolean {
    return REQUEST.test(value);
  }
  override readonly name = "ProviderRequestError";
  readonly code = "provider_request_failed";
  constructor(
    readonly kind: ProviderFailureKind,
    readonly status?: number,
  ) {
    super(`Provider request failed (${kind}${status ? ` ${status}` : ""})`);
    REQUEST.mark(this);
  }

  /** Worth retrying later: timeouts, network failures, 5xx and 429. */
  get transient(): boolean {
    return this.kind === "timeout" || this.kind === "network" || (this.kind === "http_status" && (this.status === 429 || (this.status ?? 0) >= 500));
  }
}

/** RFC 6749 §5.2 `invalid_grant`: the grant is gone for good (any description). */
export function isInvalidGrantError(error: unknown): boolean {
  return error instanceof OAuthProviderError && error.error === "invalid_grant";
}

/** Worth retrying later: the provider unreachable, timing out, 5xx or 429 (with or without an OAuth body). */
export function isTransientError(error: unknown): boolean {
  if (error instanceof ProviderRequestError) return error.transient;
  return error instanceof OAuthProviderError && (error.status === 429 || error.status >= 500);
}
