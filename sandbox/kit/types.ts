/**
 * Types both sandboxes share: the request log, the counters, the faults every network can suffer
 * (transport faults), and the control methods every sandbox has.
 */

export interface RequestLogEntry {
  /** Sandbox clock (ms) when the request arrived. */
  at: number;
  method: string;
  /** Path only: the query string is never logged (it may carry a token). */
  path: string;
  /** Response status; 0 while unanswered (e.g. a "hang" fault). */
  status: number;
  endpoint: string;
}

/** Requests per counted endpoint, and token requests per OAuth grant type (RFC 6749 §4.1.3, §6). */
export type Counters<E extends string> = Record<E, number> & {
  tokenByGrant: { authorization_code: number; refresh_token: number };
};

/**
 * What a network, a gateway or an OAuth server can do to any request. Each sandbox adds its
 * network's own kinds (its API error shape, …).
 */
export type TransportFault =
  | { kind: "status"; status: number; retryAfterSec?: number }
  | { kind: "hang" }
  | { kind: "html" }
  | { kind: "malformed_json" }
  | { kind: "wrong_content_type" }
  | { kind: "delay"; ms: number }
  /** Flat OAuth error `{"error","error_description"}` (token and revoke). */
  | { kind: "oauth_error"; error: string; status?: number; description?: string };

/** The control methods every sandbox has; each sandbox's SandboxControl extends this. */
export interface CoreControl<Input, Resolved, Endpoint extends string, F, TokenState extends string> {
  reset(): void;
  setOptions(partial: Input): void;
  /** Current options (functions omitted). */
  options(): Omit<Resolved, "now">;
  queueFault(endpoint: Endpoint, fault: F, times?: number): void;
  clearFaults(): void;
  advanceTime(ms: number): void;
  /** Current sandbox clock in ms. */
  now(): number;
  counters(): Counters<Endpoint>;
  requestLog(): RequestLogEntry[];
  tokenState(refreshToken: string): TokenState;
  accessTokenState(accessToken: string): TokenState;
}
