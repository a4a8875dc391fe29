/** Public surface of the token cipher. The app config module builds the cipher from env. */
export { createTokenCipher, MAX_PLAINTEXT_BYTES, type TokenAad, type TokenCipher } from "./token-cipher";
export { generateKey, parseKeyring, KEY_BYTES, type Keyring, type KeyringEntry } from "./keyring";
export { KeyringError, TokenDecryptionError, TokenEncryptionError, type TokenEncryptionErrorCode } from "./errors";
