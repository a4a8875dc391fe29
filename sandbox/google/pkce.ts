/**
 * PKCE (RFC 7636) as Google's authorization server takes it: `S256` or `plain`
 * (https://developers.google.com/identity/protocols/oauth2/native-app#step1-code-verifier).
 * A web client using PKCE still authenticates with its client_secret at the token endpoint.
 */
import { createHash } from "node:crypto";

/** RFC 7636 §4.1: 43–128 characters from the unreserved set (challenges of both methods too). */
const PKCE_VALUE_RE = /^[A-Za-z0-9\-._~]{43,128}$/;

export function isValidPkceValue(value: string): boolean {
  return PKCE_VALUE_RE.test(value);
}

export function s256Challenge(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

export function verifyPkce(verifier: string, challenge: string, method: "S256" | "plain"): boolean {
  if (!isValidPkceValue(verifier)) return false;
  return method === "plain" ? verifier === challenge : s256Challenge(verifier) === challenge;
}
