/**
 * Additional authenticated data for a stored token.
 *
 * Why bind the row and the field: without it, anyone able to write to the database (SQL
 * injection, a stolen backup restored elsewhere, a bad migration) could copy user A's ciphertext
 * into user B's row, or swap access_token and refresh_token, and the value would still decrypt
 * and be used under B's identity. With table + rowId + field in the AAD, GCM's tag check fails
 * for any value read from a place other than the one it was written to.
 *
 * Version and kid are bound too, so the envelope header cannot be rewritten to steer the value
 * to another key or a future format.
 */
import { TokenEncryptionError } from "./errors";
import { isWellFormed } from "./strings";

export type TokenAad = { readonly table: string; readonly rowId: string; readonly field: string };

/** Domain separation: these bytes can never be mistaken for AAD of some other use of the key. */
const LABEL = "socialflow/token-cipher";

const MAX_AAD_PART = 256;

/** Non-empty, bounded, well-formed: an empty rowId would mean "any row" by accident. */
export function isValidAad(aad: TokenAad): boolean {
  return [aad.table, aad.rowId, aad.field].every(
    (part) => typeof part === "string" && part.length > 0 && part.length <= MAX_AAD_PART && isWellFormed(part),
  );
}

export function assertValidAad(aad: TokenAad): void {
  if (!isValidAad(aad)) throw new TokenEncryptionError("invalid_token_aad");
}

/**
 * Canonical encoding: each part as a 4-byte big-endian byte length followed by its UTF-8 bytes.
 * Unlike a joined string ("a|b" + "c" vs "a" + "b|c"), two different tuples can never encode to
 * the same bytes, whatever characters the parts contain.
 */
export function encodeAad(version: string, kid: string, aad: TokenAad): Buffer {
  const parts = [LABEL, version, kid, aad.table, aad.rowId, aad.field].map((part) => Buffer.from(part, "utf8"));
  return Buffer.concat(
    parts.flatMap((bytes) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return [length, bytes];
    }),
  );
}
