import pino, { type Logger } from "pino";
import { currentRequestId } from "@/lib/observability/request-context";
import { prettyDestination } from "./pretty";
import { processSingleton, setProcessSingleton } from "@/lib/process-registry";

/**
 * Every path that could ever hold a credential, censored wherever it appears in a log object
 * (OWASP Logging cheat sheet: never log session ids, tokens, secrets). Call sites also log
 * only ids and fixed codes; this is the second line of defence.
 */
export const REDACTED_PATHS = [
  "*.access_token",
  "*.refresh_token",
  "*.accessToken",
  "*.refreshToken",
  "*.client_secret",
  "*.clientSecret",
  "*.code",
  "*.code_verifier",
  "*.codeVerifier",
  "*.state",
  "*.token",
  "*.password",
  "*.authorization",
  "*.headers.authorization",
  "*.headers.cookie",
  "access_token",
  "refresh_token",
  "accessToken",
  "refreshToken",
  "code",
  "state",
  "token",
  "codeVerifier",
  "code_verifier",
];

export type LogFormat = "json" | "pretty";

/** Pretty lines for `next dev` (NODE_ENV=development, set by Next); JSON everywhere else. */
export function defaultLogFormat(env: { NODE_ENV?: string } = process.env): LogFormat {
  return env.NODE_ENV === "development" ? "pretty" : "json";
}

export function createLogger(options: { level?: string; destination?: pino.DestinationStream; format?: LogFormat } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? "info";
  const format = options.format ?? defaultLogFormat();
  const destination =
    format === "pretty"
      ? (prettyDestination(options.destination ?? process.stdout, {
          colours: options.destination === undefined && process.stdout.isTTY === true && !process.env.NO_COLOR,
          verbose: level === "debug" || level === "trace",
        }) as pino.DestinationStream)
      : options.destination;
  return pino(
    {
      level,
      base: { app: "socialflow" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      // Every line written while serving a request carries its id (x-request-id; src/proxy.ts).
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
      // Errors are logged by class and code only: provider messages can echo request data.
      // Call sites pass `err: safeError(e)` or the raw error: both end up as { type, errorCode }
      // (not `code`: every `*.code` is censored as a possible authorization code).
      serializers: { err: (error: unknown) => loggedError(isSafeError(error) ? error : safeError(error)) },
      // pino lifts the message of an error under its errorKey (default "err") into `msg`; driver
      // and provider messages can carry queries, parameters or bodies, so no key is special and
      // `err` goes through safeError above like any other field.
      errorKey: "__never_logged_error",
      hooks: {
        logMethod(args, method) {
          if (args[0] instanceof Error) args[0] = { err: args[0] };
          return method.apply(this, args as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

function loggedError({ type, code }: { type: string; code?: string }): { type: string; errorCode?: string } {
  return code === undefined ? { type } : { type, errorCode: code };
}

/** Already what safeError returns (serializing it again would log `{ type: "object" }`). */
function isSafeError(value: unknown): value is { type: string; code?: string } {
  if (typeof value !== "object" || value === null || value instanceof Error || Object.getPrototypeOf(value) !== Object.prototype) return false;
  const { type, code, ...rest } = value as Record<string, unknown>;
  return typeof type === "string" && (code === undefined || typeof code === "string") && Object.keys(rest).length === 0;
}

export function safeError(error: unknown): { type: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { type: error.name, ...(typeof code === "string" ? { code } : {}) };
  }
  return { type: typeof error };
}

declare module "@/lib/process-registry" {
  interface ProcessSlots {
    logger: Logger;
  }
}

export function getLogger(): Logger {
  return processSingleton("logger", () => createLogger());
}

/** Tests capture logs by installing their own logger. */
export function setLoggerForTests(logger: Logger | undefined): void {
  setProcessSingleton("logger", logger);
}
