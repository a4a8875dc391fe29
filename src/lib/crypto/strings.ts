/**
 * Small, strict string helpers shared by the keyring and the envelope format.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * UTF-8 encoding replaces a lone surrogate with U+FFFD, so "\uD800" and "\uFFFD" would encode to
 * the same bytes. Rejecting them keeps encodings injective (AAD) and round trips exact (tokens).
 */
export function isWellFormed(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** base64url without padding, as used inside the envelope. */
export function toBase64Url(bytes: Buffer): string {
  return bytes.toString("base64url");
}

/**
 * Strict base64url decoding. Buffer.from(…, "base64url") silently skips invalid characters and
 * ignores stray trailing bits; a value that does not re-encode to itself is rejected, so every
 * ciphertext has exactly one accepted spelling.
 */
export function fromBase64UrlStrict(text: string): Buffer | null {
  if (!BASE64URL.test(text)) return null;
  const bytes = Buffer.from(text, "base64url");
  return bytes.toString("base64url") === text ? bytes : null;
}

const BASE64_STD = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Accepts standard base64 (padded or not) or base64url (padded or not), but not a mix of the two
 * alphabets, and only the canonical spelling of the bytes. Used for keys typed into env files.
 */
export function fromBase64OrUrlStrict(text: string): Buffer | null {
  const usesStd = /[+/]/.test(text);
  const usesUrl = /[-_]/.test(text);
  if (usesStd && usesUrl) return null;
  const unpadded = text.replace(/={1,2}$/, "");
  const normalized = usesUrl ? unpadded : unpadded.replace(/\+/g, "-").replace(/\//g, "_");
  if (!BASE64_STD.test(text.replace(/-/g, "+").replace(/_/g, "/"))) return null;
  if (text.length !== unpadded.length && text.length % 4 !== 0) return null;
  return fromBase64UrlStrict(normalized);
}
