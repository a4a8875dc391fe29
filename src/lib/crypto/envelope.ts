/**
 * The stored ciphertext format: `v1.<kid>.<iv>.<ciphertext>.<tag>`, binary parts in base64url
 * without padding. Self-describing so that decryption picks the right key and algorithm from the
 * value alone, and so that a later `v2` can coexist with `v1` rows during a migration.
 */
import { KID_PATTERN } from "./keyring";
import { fromBase64UrlStrict, toBase64Url } from "./strings";

export const ENVELOPE_VERSION = "v1";

/** 96-bit IV: the length NIST SP 800-38D recommends for GCM (no GHASH-derived counter block). */
export const IV_BYTES = 12;

/** Full 128-bit tag; shorter tags weaken forgery resistance (SP 800-38D §5.2.1.2, App. C). */
export const TAG_BYTES = 16;

export type Envelope = {
  readonly version: typeof ENVELOPE_VERSION;
  readonly kid: string;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
};

export function formatEnvelope(envelope: Envelope): string {
  const { version, kid, iv, ciphertext, tag } = envelope;
  return [version, kid, toBase64Url(iv), toBase64Url(ciphertext), toBase64Url(tag)].join(".");
}

/**
 * Strict parse: exactly five parts, known version, valid kid, exact IV and tag lengths, canonical
 * base64url. Returns null on anything else; the caller turns that into its one uniform error.
 * The ciphertext part may be empty (an empty token encrypts to zero bytes).
 */
export function parseEnvelope(text: string, maxLength: number): Envelope | null {
  if (text.length > maxLength) return null;
  const parts = text.split(".");
  if (parts.length !== 5) return null;
  const [version, kid, ivText, ciphertextText, tagText] = parts as [string, string, string, string, string];
  if (version !== ENVELOPE_VERSION || !KID_PATTERN.test(kid)) return null;
  const iv = fromBase64UrlStrict(ivText);
  const ciphertext = fromBase64UrlStrict(ciphertextText);
  const tag = fromBase64UrlStrict(tagText);
  if (iv?.length !== IV_BYTES || ciphertext === null || tag?.length !== TAG_BYTES) return null;
  return { version, kid, iv, ciphertext, tag };
}

/** The kid of a well-formed envelope of any known version, without touching a key. */
export function peekKid(text: string, maxLength: number): string | null {
  return parseEnvelope(text, maxLength)?.kid ?? null;
}
