/**
 * PKCE (RFC 7636) as TikTok checks it.
 *
 * TikTok supports only S256. Web apps use the RFC's base64url(SHA-256(verifier)) (§4.2); TikTok's
 * desktop Login Kit docs require hex(SHA-256(verifier)) instead (https://developers.tiktok.com/doc/login-kit-web). Which one the
 * sandbox expects is the `pkceMode` option; a mismatch surfaces only at the token step.
 */
import { createHash } from "node:crypto";

export type PkceMode = "base64url" | "hex";

/** RFC 7636 §4.1: 43–128 characters from the unreserved set. */
const VERIFIER_RE = /^[A-Za-z0-9\-._~]{43,128}$/;
/** Both encodings fit this: base64url (43 chars) and hex (64 chars). */
const CHALLENGE_RE = /^[A-Za-z0-9\-._~]{43,128}$/;

export function isValidVerifier(verifier: string): boolean {
  return VERIFIER_RE.test(verifier);
}

export function isValidChallenge(challenge: string): boolean {
  return CHALLENGE_RE.test(challenge);
}

export function s256Challenge(verifier: string, mode: PkceMode): string {
  return createHash("sha256").update(verifier, "ascii").digest(mode === "hex" ? "hex" : "base64url");
}

/** True when `verifier` is well-formed and hashes (in `mode`) to `challenge`. */
export function verifyPkce(verifier: string, challenge: string, mode: PkceMode): boolean {
  if (!isValidVerifier(verifier)) return false;
  return s256Challenge(verifier, mode) === challenge;
}
