import { ownValue } from "@/lib/own-key";

/**
 * Plain-words messages for Better Auth's error codes on the sign-in and sign-up forms.
 * Unknown codes get a generic message: server text is never shown as-is.
 */
const messages: Record<string, string> = {
  USER_ALREADY_EXISTS: "An account with this email already exists. Sign in instead.",
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: "An account with this email already exists. Sign in instead.",
  PASSWORD_TOO_SHORT: "Your password is too short: use at least 10 characters.",
  PASSWORD_TOO_LONG: "Your password is too long: use at most 128 characters.",
  INVALID_EMAIL_OR_PASSWORD: "That email and password don't match an account.",
  INVALID_EMAIL: "Enter a valid email address.",
  TOO_MANY_REQUESTS: "Too many attempts. Wait a minute and try again.",
};

export function authErrorMessage(code: string | undefined): string {
  return ownValue(messages, code) ?? "Something went wrong. Please try again.";
}
