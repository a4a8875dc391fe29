/**
 * The sign-in and sign-up forms' own checks, run before anything is sent, so an empty or
 * half-filled form gets a plain message next to the field instead of a round trip and a
 * generic error. Only what is plainly missing or mistyped is caught here: the password rules
 * (length) stay the server's (Better Auth answers them in plain words through messages.ts, and
 * its rate limiter must see those attempts). No Node imports: this runs in the browser.
 */
export type AuthField = "email" | "password";
export type FieldErrors = Partial<Record<AuthField, string>>;

/** Something@something.something, no spaces: enough to catch typos; the server decides the rest. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export function checkAuthFields(mode: "login" | "signup", input: { email: string; password: string }): FieldErrors {
  const errors: FieldErrors = {};
  const email = input.email.trim();
  if (email === "") errors.email = "Enter your email address.";
  else if (!EMAIL_SHAPE.test(email)) errors.email = "Enter an email address like name@example.com.";
  if (input.password === "") errors.password = mode === "signup" ? "Choose a password of at least 10 characters." : "Enter your password.";
  return errors;
}
