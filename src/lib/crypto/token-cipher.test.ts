import { describe, expect, it } from "vitest";
import { KeyringError, TokenDecryptionError, TokenEncryptionError } from "./errors";
import { parseKeyring } from "./keyring";
import { expectDecryptionFailure, flipBit, keyLine, keyringOf } from "./test-helpers";
import { MAX_PLAINTEXT_BYTES, type TokenAad, createTokenCipher } from "./token-cipher";

const ROW_A: TokenAad = { table: "social_accounts", rowId: "0b7e4a52-9f1e-4c1b-8a8e-2f3d5c6b7a81", field: "access_token" };
const TOKEN = "act.example-access-token-9f8e7d6c5b4a3210";

const IV = 2;
const CT = 3;
const TAG = 4;

describe("S25 round trip", () => {
  const cipher = createTokenCipher(keyringOf("k1"));

  it.each([
    ["an ASCII token", TOKEN],
    ["unicode (accents, CJK, emoji, astral plane)", "tökén-東京-🔐-𝔘"],
    ["the empty string", ""],
    ["a 4 KB token", "x".repeat(4096)],
    ["a token at the 8 KiB limit", "y".repeat(MAX_PLAINTEXT_BYTES)],
    ["dots, colons and commas", "a.b:c,d|e"],
  ])("S25: round-trips %s", (_name, plaintext) => {
    const stored = cipher.encrypt(plaintext, ROW_A);
    expect(cipher.decrypt(stored, ROW_A)).toBe(plaintext);
  });

  it("S25: the same token encrypted twice gives different ciphertexts (fresh IV each time)", () => {
    const values = Array.from({ length: 50 }, () => cipher.encrypt(TOKEN, ROW_A));
    expect(new Set(values).size).toBe(values.length);
    expect(new Set(values.map((v) => v.split(".")[IV])).size).toBe(values.length);
    for (const value of values) expect(cipher.decrypt(value, ROW_A)).toBe(TOKEN);
  });

  it("S25: the stored value is a v1 envelope that does not contain the token", () => {
    const stored = cipher.encrypt(TOKEN, ROW_A);
    expect(stored).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(stored).not.toContain(TOKEN);
    expect(Buffer.from(stored.split(".")[CT] ?? "", "base64url").toString("utf8")).not.toContain(TOKEN);
  });

  it("S25: refuses a token over 8 KiB (counted in UTF-8 bytes) with a fixed error", () => {
    const tooLong = "é".repeat(MAX_PLAINTEXT_BYTES / 2 + 1);
    expect(() => cipher.encrypt(tooLong, ROW_A)).toThrow(TokenEncryptionError);
    try {
      cipher.encrypt(tooLong, ROW_A);
    } catch (error) {
      expect((error as TokenEncryptionError).code).toBe("token_too_long");
      expect((error as Error).message).toBe("Token is too long to encrypt");
    }
  });

  it("S25: refuses a lone surrogate, which could not round-trip exactly", () => {
    expect(() => cipher.encrypt("abc\uD800", ROW_A)).toThrow(expect.objectContaining({ code: "token_not_well_formed" }));
  });

  it.each([
    ["empty rowId", { ...ROW_A, rowId: "" }],
    ["empty field", { ...ROW_A, field: "" }],
    ["empty table", { ...ROW_A, table: "" }],
    ["oversized rowId", { ...ROW_A, rowId: "r".repeat(257) }],
  ])("S25: refuses to encrypt with an invalid AAD (%s)", (_name, aad) => {
    expect(() => cipher.encrypt(TOKEN, aad)).toThrow(expect.objectContaining({ code: "invalid_token_aad" }));
  });
});

describe("S26 tampering and wrong keys fail with one uniform error", () => {
  const cipher = createTokenCipher(keyringOf("k1"));
  const stored = cipher.encrypt(TOKEN, ROW_A);
  const secrets = [TOKEN, stored, ...stored.split(".").slice(IV)];

  it("S26: a different key under the same kid fails", () => {
    const other = createTokenCipher(keyringOf("k1"));
    expectDecryptionFailure(() => other.decrypt(stored, ROW_A), secrets);
  });

  it("S26: one flipped bit in any byte of the IV fails", () => {
    for (let byte = 0; byte < 12; byte += 1) {
      for (const bit of [0, 7]) expectDecryptionFailure(() => cipher.decrypt(flipBit(stored, IV, byte, bit), ROW_A), secrets);
    }
  });

  it("S26: one flipped bit in any byte of the ciphertext fails", () => {
    const length = Buffer.from(stored.split(".")[CT] ?? "", "base64url").length;
    expect(length).toBe(TOKEN.length);
    for (let byte = 0; byte < length; byte += 1) {
      expectDecryptionFailure(() => cipher.decrypt(flipBit(stored, CT, byte, byte % 8), ROW_A), secrets);
    }
  });

  it("S26: one flipped bit in any byte of the tag fails", () => {
    for (let byte = 0; byte < 16; byte += 1) {
      for (const bit of [0, 3, 7]) expectDecryptionFailure(() => cipher.decrypt(flipBit(stored, TAG, byte, bit), ROW_A), secrets);
    }
  });

  it("S26: a truncated tag is not accepted (authTagLength is pinned)", () => {
    const parts = stored.split(".");
    for (const bytes of [4, 8, 12, 15]) {
      parts[TAG] = Buffer.from(stored.split(".")[TAG] ?? "", "base64url").subarray(0, bytes).toString("base64url");
      expectDecryptionFailure(() => cipher.decrypt(parts.join("."), ROW_A), secrets);
    }
  });

  it("S26: ciphertext of an empty token is still authenticated", () => {
    const empty = cipher.encrypt("", ROW_A);
    expect(cipher.decrypt(empty, ROW_A)).toBe("");
    expectDecryptionFailure(() => cipher.decrypt(flipBit(empty, TAG, 0), ROW_A));
    expectDecryptionFailure(() => cipher.decrypt(empty, { ...ROW_A, field: "refresh_token" }));
  });

  it.each([
    ["empty input", ""],
    ["the raw token itself (no fail-open to plaintext)", TOKEN],
    ["garbage", "not a ciphertext at all"],
    ["a truncated envelope", stored.slice(0, stored.length - 5)],
    ["a missing part", stored.split(".").slice(0, 4).join(".")],
    ["an extra part", `${stored}.AAAA`],
    ["an unknown version", stored.replace(/^v1\./, "v2.")],
    ["version 0", stored.replace(/^v1\./, "v0.")],
    ["an invalid kid", stored.replace(/^v1\.k1\./, "v1.k:1.")],
    ["a padded base64 IV", stored.replace(/^(v1\.k1\.[^.]+)/, "$1==")],
    ["a non-base64url character", stored.replace(/^(v1\.k1\.)./, "$1+")],
    ["a 16-byte IV", (() => { const p = stored.split("."); p[IV] = Buffer.alloc(16).toString("base64url"); return p.join("."); })()],
    ["a huge input", `v1.k1.${"A".repeat(100_000)}`],
    ["only dots", "...."],
  ])("S26: %s fails with the same error", (_name, input) => {
    expectDecryptionFailure(() => cipher.decrypt(input, ROW_A), secrets);
  });

  it("S26: non-string inputs fail with the same error instead of a TypeError", () => {
    for (const input of [null, undefined, 42, {}, Buffer.from(stored)]) {
      expectDecryptionFailure(() => cipher.decrypt(input as unknown as string, ROW_A));
    }
  });

  it("S26: the error carries no cause, input or key material, even when node's own check throws", () => {
    const keyring = parseKeyring(keyLine("k1"));
    const other = createTokenCipher(keyring);
    const keyB64 = keyring.primary.key.toString("base64");
    expectDecryptionFailure(() => other.decrypt(stored, ROW_A), [...secrets, keyB64, "authenticate"]);
  });

  it("S26: every failure is the same class, so callers need exactly one catch", () => {
    const failures = [flipBit(stored, TAG, 0), "", "garbage", stored.replace("v1.k1", "v1.k9")];
    const errors = failures.map((input) => {
      try {
        cipher.decrypt(input, ROW_A);
        return null;
      } catch (error) {
        return error;
      }
    });
    for (const error of errors) {
      expect(error).toBeInstanceOf(TokenDecryptionError);
      expect(error).toEqual(errors[0]);
    }
  });
});

describe("S27 the AAD binds a value to its table, row and field", () => {
  const cipher = createTokenCipher(keyringOf("k1"));
  const stored = cipher.encrypt(TOKEN, ROW_A);

  it.each([
    ["row B", { ...ROW_A, rowId: "5d1c9e2a-3b4f-4e6d-9a7c-8b1f2e3d4c5a" }],
    ["field refresh_token", { ...ROW_A, field: "refresh_token" }],
    ["another table", { ...ROW_A, table: "oauth_states" }],
    ["a rowId differing only in case", { ...ROW_A, rowId: ROW_A.rowId.toUpperCase() }],
    ["an invalid (empty) rowId", { ...ROW_A, rowId: "" }],
  ])("S27: a ciphertext for row A access_token fails when read as %s", (_name, aad) => {
    expectDecryptionFailure(() => cipher.decrypt(stored, aad), [TOKEN, stored]);
  });

  it("S27: a value moved between fields whose concatenations coincide still fails (no join ambiguity)", () => {
    const a = cipher.encrypt(TOKEN, { table: "t", rowId: "a|b", field: "c" });
    expectDecryptionFailure(() => cipher.decrypt(a, { table: "t", rowId: "a", field: "b|c" }));
    const b = cipher.encrypt(TOKEN, { table: "ab", rowId: "c", field: "d" });
    expectDecryptionFailure(() => cipher.decrypt(b, { table: "a", rowId: "bc", field: "d" }));
  });

  it("S27: rewriting the kid in the header fails even when both keys are in the keyring", () => {
    const keyring = keyringOf("k1", "k2");
    const twoKeys = createTokenCipher(keyring);
    const value = twoKeys.encrypt(TOKEN, ROW_A);
    // Same key bytes under both kids: only the kid bound into the AAD can catch the rewrite.
    const sameKeyTwice = parseKeyring(`k1:${keyring.primary.key.toString("base64")},k2:${keyring.primary.key.toString("base64")}`);
    const cipherSame = createTokenCipher(sameKeyTwice);
    const underK1 = cipherSame.encrypt(TOKEN, ROW_A);
    expect(cipherSame.decrypt(underK1, ROW_A)).toBe(TOKEN);
    expectDecryptionFailure(() => cipherSame.decrypt(underK1.replace("v1.k1.", "v1.k2."), ROW_A));
    expect(twoKeys.decrypt(value, ROW_A)).toBe(TOKEN);
  });
});

describe("S28 key rotation", () => {
  const oldLine = keyLine("old");
  const newLine = keyLine("new");
  const oldOnly = createTokenCipher(parseKeyring(oldLine));
  const rotated = createTokenCipher(parseKeyring(`${newLine},${oldLine}`));

  it("S28: values encrypted under the old key still decrypt after the new key is prepended", () => {
    const legacy = oldOnly.encrypt(TOKEN, ROW_A);
    expect(rotated.keyIdOf(legacy)).toBe("old");
    expect(rotated.decrypt(legacy, ROW_A)).toBe(TOKEN);
  });

  it("S28: new encryptions use the new primary key", () => {
    const fresh = rotated.encrypt(TOKEN, ROW_A);
    expect(rotated.keyIdOf(fresh)).toBe("new");
    expect(fresh.startsWith("v1.new.")).toBe(true);
    expectDecryptionFailure(() => oldOnly.decrypt(fresh, ROW_A), [TOKEN]);
  });

  it("S28: needsReencryption is true for old-key values and false for primary-key values", () => {
    const legacy = oldOnly.encrypt(TOKEN, ROW_A);
    expect(rotated.needsReencryption(legacy)).toBe(true);
    const moved = rotated.encrypt(rotated.decrypt(legacy, ROW_A), ROW_A);
    expect(rotated.needsReencryption(moved)).toBe(false);
    expect(rotated.decrypt(moved, ROW_A)).toBe(TOKEN);
  });

  it("S28: needsReencryption is true for unparseable values so the rotation command visits them", () => {
    for (const value of ["", "garbage", TOKEN, "v2.new.a.b.c"]) expect(rotated.needsReencryption(value)).toBe(true);
  });

  it("S28: keyIdOf reads the kid without a key and is null for non-envelopes", () => {
    const unknown = createTokenCipher(keyringOf("gone")).encrypt(TOKEN, ROW_A);
    expect(rotated.keyIdOf(unknown)).toBe("gone");
    for (const value of ["", "garbage", TOKEN, "v1..a.b.c"]) expect(rotated.keyIdOf(value)).toBeNull();
  });

  it("S28: a value under an unknown kid fails closed with the same error", () => {
    const unknown = createTokenCipher(keyringOf("gone")).encrypt(TOKEN, ROW_A);
    expect(rotated.needsReencryption(unknown)).toBe(true);
    expectDecryptionFailure(() => rotated.decrypt(unknown, ROW_A), [TOKEN, unknown]);
  });

  it("S28: dropping the old key after rotation makes its leftovers fail closed, not open", () => {
    const legacy = oldOnly.encrypt(TOKEN, ROW_A);
    const newOnly = createTokenCipher(parseKeyring(newLine));
    expectDecryptionFailure(() => newOnly.decrypt(legacy, ROW_A), [TOKEN, legacy]);
  });
});

describe("S28 hand-built keyrings are checked too", () => {
  const key = Buffer.alloc(32, 7);

  it("S28: the primary decrypts even when a hand-built byKid omits it", () => {
    const cipher = createTokenCipher({ primary: { kid: "p", key }, byKid: new Map() });
    expect(cipher.decrypt(cipher.encrypt(TOKEN, ROW_A), ROW_A)).toBe(TOKEN);
  });

  it("S28: a wrong-length key or a kid mapped to two keys is refused at construction", () => {
    expect(() => createTokenCipher({ primary: { kid: "p", key: Buffer.alloc(31) }, byKid: new Map() })).toThrow(KeyringError);
    expect(() => createTokenCipher({ primary: { kid: "p", key }, byKid: new Map([["p", Buffer.alloc(32, 8)]]) })).toThrow(KeyringError);
    expect(() => createTokenCipher({ primary: { kid: "p.q", key }, byKid: new Map() })).toThrow(KeyringError);
  });
});
