import { vi, type MockInstance } from "vitest";
import type { Logger } from "pino";
import { createLogger, setLoggerForTests } from "@/lib/log/logger";

export interface LogCapture {
  /** Raw JSON lines pino wrote. */
  readonly lines: string[];
  readonly logger: Logger;
  /** Every line, parsed. */
  entries(): Record<string, unknown>[];
  /** The `event` values logged so far, in order. */
  events(): string[];
  /** All lines joined: what a log shipper would see. */
  text(): string;
  clear(): void;
  /** Removes the test logger (the app falls back to its default on next use). */
  restore(): void;
}

/**
 * Installs an in-memory pino logger built by the app's own `createLogger` (same redaction and
 * serializers as production) as the process-wide logger. Install it BEFORE the app's services
 * are built: they keep the logger they were constructed with.
 */
export function captureLogs(level = "trace"): LogCapture {
  const lines: string[] = [];
  const logger = createLogger({ level, format: "json", destination: { write: (chunk: string) => void lines.push(chunk) } });
  setLoggerForTests(logger);
  return {
    lines,
    logger,
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    events: () => lines.map((line) => (JSON.parse(line) as { event?: string }).event ?? ""),
    text: () => lines.join(""),
    clear: () => void lines.splice(0, lines.length),
    restore: () => setLoggerForTests(undefined),
  };
}

/** A logger for a directly-constructed service, writing into `lines`. */
export function memoryLogger(lines: string[], level = "trace"): Logger {
  return createLogger({ level, format: "json", destination: { write: (chunk: string) => void lines.push(chunk) } });
}

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;

/** Spies on every console method, recording (and silencing) what is printed. */
export function captureConsole(): { output: string[]; restore(): void } {
  const output: string[] = [];
  const spies: MockInstance[] = CONSOLE_METHODS.map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      output.push(args.map((a) => (typeof a === "string" ? a : safeStringify(a))).join(" "));
    }),
  );
  return { output, restore: () => spies.forEach((s) => s.mockRestore()) };
}

function safeStringify(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}\n${value.stack ?? ""}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
