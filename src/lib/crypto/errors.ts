/**
 * Error classes of the token cipher. Each carries a stable `code` and a fixed message so callers
 * can branch on it and logs can never pick up a token, a ciphertext or a key through an error.
 */

const DECRYPTION_FAILED_MESSAGE = "Token could not be decrypted";

/**
 * The one error for every decryption failure: bad format, unknown key id, wrong key, tampered
 * IV / ciphertext / tag, wrong AAD, unknown version. One class and one message on purpose
 * (as jose does): distinguishing the causes would tell an attacker which part of a forged value
 * was wrong, and carrying the cause's message could echo the input. No `cause` is attached.
 */
export class TokenDecryptionError extends Error {
  readonly code = "token_decryption_failed" as const;

  constructor() {
    super(DECRYPTION_FAILED_MESSAGE);
    this.name = "TokenDecryptionError";
  }
}

export type TokenEncryptionErrorCode = "token_too_long" | "token_not_well_formed" | "invalid_token_aad";

const ENCRYPTION_MESSAGES: Record<TokenEncryptionErrorCode, string> = {
  token_too_long: "Token is too long to encrypt",
  token_not_well_formed: "Token is not a well-formed string (lone UTF-16 surrogate)",
  invalid_token_aad: "Token AAD is invalid: table, rowId and field must be non-empty well-formed strings of at most 256 characters",
};

/** Refusal to encrypt. The message is picked from a fixed table and never includes the value. */
export class TokenEncryptionError extends Error {
  constructor(readonly code: TokenEncryptionErrorCode) {
    super(ENCRYPTION_MESSAGES[code]);
    this.name = "TokenEncryptionError";
  }
}

/**
 * TOKEN_ENCRYPTION_KEYS could not be parsed. The message names the entry by position (and by
 * kid once the kid itself is valid) but never contains key material.
 */
export class KeyringError extends Error {
  readonly code = "invalid_token_encryption_keys" as const;

  constructor(message: string) {
    super(message);
    this.name = "KeyringError";
  }
}
