import { describe, expect, it } from "vitest";
import { checkAuthFields } from "./form-checks";
import { MIN_PASSWORD_LENGTH } from "./auth";

describe("checkAuthFields (before anything is sent)", () => {
  it("an empty sign-up form gets a plain message per field, not 'Something went wrong'", () => {
    const errors = checkAuthFields("signup", { email: "", password: "" });
    expect(errors).toEqual({ email: "Enter your email address.", password: `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.` });
    expect(Object.values(errors).join(" ")).not.toMatch(/went wrong/i);
  });

  it("an email that cannot be one is caught; spaces around it are not an error", () => {
    for (const email of ["ava", "ava@example", "a b@example.com", "@example.com", "ava@.com"]) {
      expect(checkAuthFields("signup", { email, password: "0123456789" }), email).toEqual({ email: "Enter an email address like name@example.com." });
    }
    expect(checkAuthFields("signup", { email: " ava@example.com ", password: "0123456789" })).toEqual({});
  });

  it("password length stays the server's answer (its limiter counts those attempts)", () => {
    expect(checkAuthFields("signup", { email: "ava@example.com", password: "short-pw1" })).toEqual({});
  });

  it("sign-in: only asks for what is missing", () => {
    expect(checkAuthFields("login", { email: "", password: "" })).toEqual({ email: "Enter your email address.", password: "Enter your password." });
    expect(checkAuthFields("login", { email: "ava@example.com", password: "x" })).toEqual({});
  });
});
