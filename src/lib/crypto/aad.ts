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
 *
 * Written into one buffer sized up front: every token encryption and decryption encodes one,
 * and building six buffers, six length prefixes and a concat cost more than the AES-GCM itself
 * (a few µs per call, measured in the sweep's profile).
 */
export function encodeAad(version: string, kid: string, aad: TokenAad): Buffer {
  const parts = [LABEL, version, kid, aad.table, aad.rowId, aad.field];
  let size = 0;
  for (const part of parts) size += 4 + Buffer.byteLength(part, "utf8");
  // Not zero-filled: every byte is written below, and the size check proves it.
  const out = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const part of parts) {
    const written = out.write(part, offset + 4, "utf8");
    out.writeUInt32BE(written, offset);
    offset += 4 + written;
  }
  if (offset !== size) throw new TokenEncryptionError("invalid_token_aad");
  return out;
}
