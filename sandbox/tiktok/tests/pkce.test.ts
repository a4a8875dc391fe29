import { describe, expect, it } from "vitest";
import { isValidVerifier, s256Challenge, verifyPkce } from "../pkce";
import { RFC_CHALLENGE, RFC_CHALLENGE_HEX, RFC_VERIFIER } from "./helpers";

describe("PKCE (RFC 7636, https://developers.tiktok.com/doc/login-kit-web)", () => {
  it("§1 pkce base64url: reproduces RFC 7636 Appendix B", () => {
    expect(s256Challenge(RFC_VERIFIER, "base64url")).toBe(RFC_CHALLENGE);
    expect(verifyPkce(RFC_VERIFIER, RFC_CHALLENGE, "base64url")).toBe(true);
  });

  it("§1 pkce hex: is the SHA-256 hex of the Appendix B verifier", () => {
    expect(s256Challenge(RFC_VERIFIER, "hex")).toBe(RFC_CHALLENGE_HEX);
    expect(verifyPkce(RFC_VERIFIER, RFC_CHALLENGE_HEX, "hex")).toBe(true);
  });

  it("§1 pkce: the wrong encoding or a malformed verifier does not verify", () => {
    expect(verifyPkce(RFC_VERIFIER, RFC_CHALLENGE, "hex")).toBe(false);
    expect(verifyPkce(RFC_VERIFIER, RFC_CHALLENGE_HEX, "base64url")).toBe(false);
    expect(isValidVerifier("short")).toBe(false);
    expect(isValidVerifier(`${RFC_VERIFIER}!`)).toBe(false);
    expect(verifyPkce("x".repeat(129), s256Challenge("x".repeat(129), "base64url"), "base64url")).toBe(false);
  });
});
