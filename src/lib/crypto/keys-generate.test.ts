import { describe, expect, it } from "vitest";
import { keysGenerate } from "../../../scripts/keys-generate";
import { parseKeyring } from "./keyring";
import { createTokenCipher } from "./token-cipher";
import { keyLine } from "./test-helpers";

describe("S28 npm run keys:generate", () => {
  it("S28: the printed line parses with parseKeyring, alone and prepended to existing keys", () => {
    const { line } = keysGenerate(new Date("2026-01-02T03:04:05Z"));
    const [kid] = line.split(":");
    expect(kid).toMatch(/^k20260102-[0-9a-f]{6}$/);
    expect(parseKeyring(line).primary.kid).toBe(kid);

    const existing = keyLine("old");
    const rotated = parseKeyring(`${line},${existing}`);
    expect(rotated.primary.kid).toBe(kid);
    expect(rotated.byKid.has("old")).toBe(true);
    const cipher = createTokenCipher(rotated);
    const aad = { table: "social_accounts", rowId: "r1", field: "access_token" };
    expect(cipher.decrypt(cipher.encrypt("tok", aad), aad)).toBe("tok");
  });

  it("S28: the hint explains prepending without repeating the key", () => {
    const { line, hint } = keysGenerate();
    const [kid, key = ""] = line.split(":");
    expect(hint).not.toContain("\n");
    expect(hint).toContain("TOKEN_ENCRYPTION_KEYS");
    expect(hint).toContain(`${kid}:`);
    expect(hint).toContain("npm run keys:rotate");
    expect(hint).not.toContain(key);
  });
});
