/** The request id header: accepted from a trusted front proxy, generated otherwise, echoed back. */
export const REQUEST_ID_HEADER = "x-request-id";

/**
 * Ids a load balancer or tracing system would send (UUIDs, hex, base64url, `abc-123.x:y`).
 * Anything else — too long, spaces, newlines, quotes — is replaced, never logged: a request
 * id goes into every log line, so it must not be a way to forge or break one.
 */
const ACCEPTED = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

export function acceptRequestId(incoming: string | null | undefined): string {
  return incoming && ACCEPTED.test(incoming) ? incoming : newRequestId();
}

export function newRequestId(): string {
  return globalThis.crypto.randomUUID();
}
