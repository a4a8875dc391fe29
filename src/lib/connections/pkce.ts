import { createHash, randomBytes } from "node:crypto";

export type PkceEncoding = "base64url" | "hex";

/**
 * RFC 7636 §4.1: a code_verifier of 43–128 unreserved characters. 64 random bytes in
 * base64url give 86 characters and 512 bits of entropy.
 */
export function createCodeVerifier(): string {
  return randomBytes(64).toString("base64url");
}

/**
 * RFC 7636 §4.2 S256: BASE64URL(SHA256(verifier)). TikTok's desktop Login Kit instead wants
 * the SHA-256 as hex (https://developers.tiktok.com/doc/login-kit-web), so the encoding is the provider's choice.
 */
export function codeChallengeS256(verifier: string, encoding: PkceEncoding): string {
  return createHash("sha256").update(verifier, "ascii").digest(encoding);
}

/** An opaque random value of `bytes` bytes (state, binding cookie): never Math.random(). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}
