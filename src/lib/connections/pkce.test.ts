import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { codeChallengeS256, createCodeVerifier, randomToken } from "./pkce";

describe("PKCE (RFC 7636)", () => {
  const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

  it("S2: reproduces RFC 7636 Appendix B", () => {
    expect(codeChallengeS256(verifier, "base64url")).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });

  it("S2: the hex variant is the SHA-256 hex of the same verifier", () => {
    const hex = codeChallengeS256(verifier, "hex");
    expect(hex).toBe(createHash("sha256").update(verifier).digest("hex"));
    expect(hex).toBe(Buffer.from("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "base64url").toString("hex"));
  });

  it("S2: verifiers are 43–128 unreserved characters and never repeat", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const v = createCodeVerifier();
      expect(v).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
      seen.add(v);
    }
    expect(seen.size).toBe(200);
  });

  it("S2: state values carry at least 32 random bytes", () => {
    expect(Buffer.from(randomToken(), "base64url").length).toBeGreaterThanOrEqual(32);
  });
});
