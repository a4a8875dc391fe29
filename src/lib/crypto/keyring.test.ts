import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { KeyringError } from "./errors";
import { generateKey, parseKeyring } from "./keyring";
import { keyLine } from "./test-helpers";

function parseError(value: string): KeyringError {
  try {
    parseKeyring(value);
  } catch (error) {
    expect(error).toBeInstanceOf(KeyringError);
    expect((error as KeyringError).code).toBe("invalid_token_encryption_keys");
    expect((error as KeyringError).cause).toBeUndefined();
    return error as KeyringError;
  }
  throw new Error("expected parseKeyring to throw");
}

function expectNoKeyMaterial(error: Error, ...keyTexts: string[]): void {
  const surfaces = [error.message, String(error), error.stack ?? "", JSON.stringify(error)];
  for (const keyText of keyTexts) {
    // The whole key and any 8-character slice of it: a partial key leak is still a leak.
    const slices = [keyText, ...Array.from({ length: Math.max(0, keyText.length - 8) }, (_, i) => keyText.slice(i, i + 8))];
    for (const surface of surfaces) for (const slice of slices) expect(surface).not.toContain(slice);
  }
}

describe("S28 keyring parsing", () => {
  it("S28: the first entry is the primary and every key is indexed by kid", () => {
    const newKey = randomBytes(32);
    const oldKey = randomBytes(32);
    const keyring = parseKeyring(`${keyLine("new", newKey)},${keyLine("old", oldKey)}`);
    expect(keyring.primary.kid).toBe("new");
    expect(keyring.primary.key.equals(newKey)).toBe(true);
    expect([...keyring.byKid.keys()]).toEqual(["new", "old"]);
    expect(keyring.byKid.get("old")?.equals(oldKey)).toBe(true);
  });

  it("S28: accepts base64, unpadded base64, base64url and surrounding whitespace", () => {
    const key = Buffer.from("fb".repeat(32), "hex"); // 0xfb bytes: base64 uses '+' and '/', base64url '-' and '_'
    const std = key.toString("base64");
    expect(std).toMatch(/[+/]/);
    const keyring = parseKeyring(` a:${std} ,b:${std.replace(/=+$/, "")},\nc:${key.toString("base64url")}\n`);
    for (const kid of ["a", "b", "c"]) expect(keyring.byKid.get(kid)?.equals(key)).toBe(true);
  });

  it("S28: kids may use letters, digits, '_' and '-' up to 32 characters", () => {
    expect(parseKeyring(keyLine(`K_${"9".repeat(28)}-z`)).primary.kid).toHaveLength(32);
  });

  it("S28: an empty value is rejected with a hint to generate a key", () => {
    for (const value of ["", "   ", "\n"]) {
      const error = parseError(value);
      expect(error.message).toContain("at least one");
      expect(error.message).toContain("npm run keys:generate");
    }
  });

  it("S28: a duplicate kid is rejected, naming the entry and kid", () => {
    const first = randomBytes(32).toString("base64");
    const second = randomBytes(32).toString("base64");
    const error = parseError(`k1:${first},k2:${randomBytes(32).toString("base64")},k1:${second}`);
    expect(error.message).toContain('entry 3 (kid "k1") repeats a kid');
    expectNoKeyMaterial(error, first, second);
  });

  it("S28: a 31-byte key is rejected, naming the entry and the byte count but not the key", () => {
    const short = randomBytes(31).toString("base64");
    const error = parseError(`${keyLine("ok")},k2:${short}`);
    expect(error.message).toContain('entry 2 (kid "k2") has a key of 31 bytes');
    expect(error.message).toContain("exactly 32 bytes");
    expect(error.message).toContain("npm run keys:generate");
    expectNoKeyMaterial(error, short);
  });

  it("S28: a 33-byte key is rejected", () => {
    const long = randomBytes(33).toString("base64");
    expectNoKeyMaterial(parseError(`k1:${long}`), long);
  });

  it.each([
    ["an invalid character", `${randomBytes(32).toString("base64").slice(0, 40)}*${"A".repeat(3)}`],
    ["mixed base64 and base64url alphabets", `${"+".repeat(21)}${"_".repeat(22)}`],
    ["padding in the middle", `${randomBytes(16).toString("base64")}${randomBytes(16).toString("base64")}`],
    ["wrong padding", `${randomBytes(32).toString("base64url")}===`],
    ["non-canonical trailing bits", `${randomBytes(32).toString("base64").slice(0, 42)}B=`],
    ["hex instead of base64", randomBytes(32).toString("hex")],
  ])("S28: a key with bad base64 (%s) is rejected without echoing it", (_name, badKey) => {
    const error = parseError(`k1:${badKey}`);
    expect(error.message).toMatch(/entry 1 \(kid "k1"\) has a key (that is not valid base64|of \d+ bytes)/);
    expectNoKeyMaterial(error, badKey);
  });

  it("S28: an entry without ':' is rejected without echoing it (it may be a bare key)", () => {
    const bare = randomBytes(32).toString("base64");
    const error = parseError(`${keyLine("k1")},${bare}`);
    expect(error.message).toContain("entry 2 must look like `kid:base64key`");
    expectNoKeyMaterial(error, bare);
  });

  it("S28: an invalid kid is rejected without echoing it (it may be a key pasted the wrong way round)", () => {
    const key = randomBytes(32).toString("base64");
    for (const kid of ["", "k.1", "k 1", "x".repeat(33), key]) {
      const error = parseError(`${kid}:${randomBytes(32).toString("base64")}`);
      expect(error.message).toContain("entry 1 has an invalid kid");
      if (kid.length > 8) expectNoKeyMaterial(error, kid);
    }
  });

  it("S28: a stray comma is an empty entry, reported by position", () => {
    expect(parseError(`${keyLine("k1")},`).message).toContain("entry 2 is empty");
    expect(parseError(`${keyLine("k1")},,${keyLine("k2")}`).message).toContain("entry 2 is empty");
  });

  it("S28: every bad entry is reported at once", () => {
    const message = parseError(`k1:${randomBytes(31).toString("base64")},nokey,k3:${randomBytes(32).toString("base64")}`).message;
    expect(message).toContain("entry 1");
    expect(message).toContain("entry 2");
    expect(message).not.toContain("entry 3");
  });

  it("S28: logging a keyring shows kids only, never key bytes", () => {
    const key = randomBytes(32);
    const keyring = parseKeyring(`${keyLine("new", key)},${keyLine("old")}`);
    const logged = [JSON.stringify(keyring), inspect(keyring), JSON.stringify({ keyring })];
    for (const text of logged) {
      expect(text).toContain("new");
      expect(text).toContain("old");
      expect(text).not.toContain(key.toString("base64"));
      expect(text).not.toContain(key.toString("hex").slice(0, 16));
      expect(text).not.toMatch(/Buffer|"data"/);
    }
  });
});

describe("S28 key generation", () => {
  it("S28: generateKey makes a parseable line with a dated kid", () => {
    const { kid, line } = generateKey(new Date("2025-11-25T23:59:59Z"));
    expect(kid).toMatch(/^k20251125-[0-9a-f]{6}$/);
    expect(line.startsWith(`${kid}:`)).toBe(true);
    const keyring = parseKeyring(line);
    expect(keyring.primary.kid).toBe(kid);
    expect(keyring.primary.key).toHaveLength(32);
  });

  it("S28: two generated keys differ in kid and key", () => {
    const a = generateKey();
    const b = generateKey();
    expect(a.kid).not.toBe(b.kid);
    expect(a.line.split(":")[1]).not.toBe(b.line.split(":")[1]);
    expect(parseKeyring(`${a.line},${b.line}`).byKid.size).toBe(2);
  });
});
