/**
 * Encrypts OAuth tokens for storage with AES-256-GCM (node:crypto).
 *
 * IVs: a fresh random 96-bit IV per value, the RBG-based construction of NIST SP 800-38D
 * §8.2.2. GCM's confidentiality and authenticity collapse if an IV ever repeats under one key,
 * so §8 requires the chance of a repeat to stay at or below 2^-32, and §8.3 caps RBG-based IVs at
 * 2^32 encryptions per key. Token writes stay far below that, and key rotation resets the count.
 * Never derive the IV from the row or a counter kept in the database: a restore from backup would
 * replay it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { type TokenAad, assertValidAad, encodeAad, isValidAad } from "./aad";
import { ENVELOPE_VERSION, IV_BYTES, TAG_BYTES, formatEnvelope, parseEnvelope, peekKid } from "./envelope";
import { KeyringError, TokenDecryptionError, TokenEncryptionError } from "./errors";
import { KEY_BYTES, KID_PATTERN, type Keyring } from "./keyring";
import { isWellFormed } from "./strings";

export type { TokenAad } from "./aad";

const ALGORITHM = "aes-256-gcm";

/** Tokens are a few hundred bytes; 8 KiB leaves room for any provider while bounding the work. */
export const MAX_PLAINTEXT_BYTES = 8 * 1024;

/** Longest envelope a MAX_PLAINTEXT_BYTES token can produce; longer input is rejected unparsed. */
const MAX_ENVELOPE_CHARS =
  ENVELOPE_VERSION.length + 1 + 32 + 1 + Math.ceil((IV_BYTES * 4) / 3) + 1 + Math.ceil((MAX_PLAINTEXT_BYTES * 4) / 3) + 1 + Math.ceil((TAG_BYTES * 4) / 3);

/** `fatal`: never turn bad bytes into U+FFFD silently (cannot happen after a tag check, but cheap). */
const utf8 = new TextDecoder("utf-8", { fatal: true });

export type TokenCipher = {
  /** Encrypts under the primary key, bound to where the value will be stored. */
  encrypt(plaintext: string, aad: TokenAad): string;
  /** Decrypts or throws TokenDecryptionError; never returns the input as a fallback. */
  decrypt(ciphertext: string, aad: TokenAad): string;
  /** The key id named by a well-formed envelope (known to this keyring or not), else null. */
  keyIdOf(ciphertext: string): string | null;
  /** True unless the value is a current-version envelope under the primary key. */
  needsReencryption(ciphertext: string): boolean;
};

export function createTokenCipher(keyring: Keyring): TokenCipher {
  const { kid: primaryKid, key: primaryKey } = keyring.primary;
  const keys = checkedKeys(keyring);

  function encrypt(plaintext: string, aad: TokenAad): string {
    assertValidAad(aad);
    if (typeof plaintext !== "string" || !isWellFormed(plaintext)) throw new TokenEncryptionError("token_not_well_formed");
    const data = Buffer.from(plaintext, "utf8");
    if (data.length > MAX_PLAINTEXT_BYTES) throw new TokenEncryptionError("token_too_long");

    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, primaryKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(encodeAad(ENVELOPE_VERSION, primaryKid, aad));
    const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
    data.fill(0);
    return formatEnvelope({ version: ENVELOPE_VERSION, kid: primaryKid, iv, ciphertext, tag: cipher.getAuthTag() });
  }

  function decrypt(ciphertext: string, aad: TokenAad): string {
    try {
      return open(ciphertext, aad);
    } catch {
      // Whatever went wrong (including node's own "unable to authenticate data"), the caller sees
      // one fixed error with no cause, so neither the input nor the reason can leak through it.
      throw new TokenDecryptionError();
    }
  }

  function open(text: string, aad: TokenAad): string {
    if (typeof text !== "string" || !isValidAad(aad)) throw new TokenDecryptionError();
    const envelope = parseEnvelope(text, MAX_ENVELOPE_CHARS);
    if (envelope === null) throw new TokenDecryptionError();
    const key = keys.get(envelope.kid);
    if (key === undefined) throw new TokenDecryptionError();

    // authTagLength pins the tag size: without it node would accept a truncated tag.
    const decipher = createDecipheriv(ALGORITHM, key, envelope.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(encodeAad(envelope.version, envelope.kid, aad));
    decipher.setAuthTag(envelope.tag);
    const data = Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]);
    try {
      return utf8.decode(data);
    } finally {
      data.fill(0);
    }
  }

  function keyIdOf(ciphertext: string): string | null {
    return typeof ciphertext === "string" ? peekKid(ciphertext, MAX_ENVELOPE_CHARS) : null;
  }

  /**
   * Anything not under the primary key — an old kid, an unknown kid, even an unparseable value —
   * counts as needing work, so the rotation command visits it and fails loudly rather than
   * silently skipping a row it cannot vouch for.
   */
  function needsReencryption(ciphertext: string): boolean {
    return keyIdOf(ciphertext) !== primaryKid;
  }

  return { encrypt, decrypt, keyIdOf, needsReencryption };
}

/**
 * parseKeyring already guarantees this; re-checked here because a Keyring can also be built by
 * hand (tests, dev tooling), and a bad key must fail at startup, not on the first token write.
 * The primary is always decryptable, even if a hand-built byKid forgot it.
 */
function checkedKeys(keyring: Keyring): ReadonlyMap<string, Buffer> {
  const keys = new Map(keyring.byKid);
  const primary = keyring.primary;
  const conflicting = keys.get(primary.kid);
  if (conflicting !== undefined && !conflicting.equals(primary.key)) {
    throw new KeyringError(`Keyring is invalid: kid "${primary.kid}" maps to two different keys.`);
  }
  keys.set(primary.kid, primary.key);
  for (const [kid, key] of keys) {
    if (!KID_PATTERN.test(kid) || !Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
      throw new KeyringError(`Keyring is invalid: every kid must match ${KID_PATTERN} and every key must be ${KEY_BYTES} bytes.`);
    }
  }
  return keys;
}
