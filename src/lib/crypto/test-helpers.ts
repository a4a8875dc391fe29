/** Shared fixtures for the crypto unit tests (not part of the public API). */
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { TokenDecryptionError } from "./errors";
import { type Keyring, parseKeyring } from "./keyring";

export function keyLine(kid: string, key: Buffer = randomBytes(32)): string {
  return `${kid}:${key.toString("base64")}`;
}

export function keyringOf(...kids: string[]): Keyring {
  return parseKeyring(kids.map((kid) => keyLine(kid)).join(","));
}

/** Runs `fn`, expects the one uniform decryption error, and checks nothing in it leaks. */
export function expectDecryptionFailure(fn: () => unknown, secrets: string[] = []): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TokenDecryptionError);
  const error = caught as TokenDecryptionError;
  expect(error.code).toBe("token_decryption_failed");
  expect(error.message).toBe("Token could not be decrypted");
  expect(error.name).toBe("TokenDecryptionError");
  expect(error.cause).toBeUndefined();
  const surfaces = [error.message, String(error), error.stack ?? "", JSON.stringify(error)];
  for (const secret of secrets.filter((s) => s.length > 0)) {
    for (const surface of surfaces) expect(surface).not.toContain(secret);
  }
}

/** Flips one bit of one byte inside a base64url part of an envelope. */
export function flipBit(envelope: string, partIndex: number, byteIndex: number, bit = 0): string {
  const parts = envelope.split(".");
  const bytes = Buffer.from(parts[partIndex] ?? "", "base64url");
  bytes[byteIndex] = (bytes[byteIndex] ?? 0) ^ (1 << bit);
  parts[partIndex] = bytes.toString("base64url");
  return parts.join(".");
}
