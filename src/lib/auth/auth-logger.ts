/**
 * Better Auth's log lines, through our logger (https://www.better-auth.com/docs/reference/options#logger).
 * Its own logger prints a red `ERROR [Better Auth]: Invalid password` for every mistyped password:
 * ordinary user mistakes are not errors of the app, so they go out at debug. Everything else keeps
 * Better Auth's level. Only the message goes out, with email addresses masked (some messages and
 * arguments carry the address typed in, e.g. "User not found", { email }); arguments are dropped
 * but an Error, logged by class and code as every error is (logger.ts).
 */
import type { Logger } from "pino";
import { getLogger } from "@/lib/log/logger";

type BetterAuthLevel = "debug" | "info" | "success" | "warn" | "error";

/** Messages Better Auth logs when a person mistypes or retries; the API answer tells them already. */
const USER_MISTAKES: readonly RegExp[] = [
  /^Invalid password$/,
  /^User not found$/,
  /^Credential account not found$/,
  /^Password not found$/,
  /^Password is too (short|long)$/,
  /^Sign-up attempt for existing email/,
  /^Invalid email/,
];

const EMAIL = /[^\s@"'<>]+@[^\s@"'<>]+/g;
const MAX_MESSAGE = 200;

export function isUserMistake(message: string): boolean {
  return USER_MISTAKES.some((pattern) => pattern.test(message));
}

/** The `logger` option of betterAuth(): its level lets everything through; ours decides. */
export function betterAuthLogger(logger: () => Logger = getLogger) {
  return {
    level: "debug" as const,
    log(level: Exclude<BetterAuthLevel, "success">, message: string, ...args: unknown[]): void {
      const text = String(message).replace(EMAIL, "[email]").slice(0, MAX_MESSAGE);
      const mistake = isUserMistake(String(message));
      const err = args.find((a): a is Error => a instanceof Error);
      const entry = { event: mistake ? "auth.user_mistake" : "auth.library", message: text, ...(err ? { err } : {}) };
      const target = logger();
      if (mistake) target.debug(entry);
      else if (level === "error") target.error(entry);
      else if (level === "warn") target.warn(entry);
      else if (level === "info") target.info(entry);
      else target.debug(entry);
    },
  };
}
