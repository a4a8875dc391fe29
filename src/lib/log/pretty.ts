/**
 * Development log lines for people: `[socialflow] 14:03:07 INFO  oauth.connected provider=tiktok …`
 * instead of pino's JSON, so they read well between Next's own output. Written here rather than
 * by pino-pretty (a dependency with its own transport thread for a dozen lines of formatting).
 * Input is pino's finished JSON line: redaction and the error serializer have already run, so
 * nothing reaches the terminal that the JSON log would not hold. Production keeps JSON.
 */

const LEVEL_NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const LEVEL_COLOURS: Record<number, string> = { 10: "90", 20: "90", 30: "36", 40: "33", 50: "31", 60: "31" };
/** Fields every line has, or that the line shows in its own place. */
const SHOWN_APART = new Set(["level", "time", "pid", "hostname", "app", "event", "msg"]);
/**
 * Periodic lines that help a production dashboard and only scroll a developer's terminal:
 * shown in development at LOG_LEVEL=debug or trace.
 */
const QUIET_EVENTS = new Set(["metric"]);

// C0/C1 controls (terminal escapes), bidi overrides and isolates: never written raw to a terminal.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function value(v: unknown): string {
  if (typeof v === "string") return /^[\w.:/@+\-[\]]*$/.test(v) && v !== "" ? v : escapeUnsafe(JSON.stringify(v));
  if (typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  return escapeUnsafe(JSON.stringify(v) ?? "");
}

function clock(time: unknown): string {
  const d = typeof time === "number" ? new Date(time) : new Date();
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

export interface PrettyOptions {
  colours: boolean;
  /** Show QUIET_EVENTS too (LOG_LEVEL debug or trace). */
  verbose: boolean;
}

/** One pino JSON line → one readable line (with a newline), or "" when it is left out. */
export function prettyLine(json: string, options: PrettyOptions): string {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return `${escapeUnsafe(json.trim())}\n`;
    record = parsed as Record<string, unknown>;
  } catch {
    return `${escapeUnsafe(json.trim())}\n`;
  }
  const event = typeof record.event === "string" ? record.event : undefined;
  if (event !== undefined && QUIET_EVENTS.has(event) && !options.verbose) return "";
  const level = typeof record.level === "number" ? record.level : 30;
  let name = (LEVEL_NAMES[level] ?? "LOG").padEnd(5);
  if (options.colours) name = `\u001b[${LEVEL_COLOURS[level] ?? "0"}m${name}\u001b[0m`;
  const parts = [`[socialflow] ${clock(record.time)} ${name}`];
  if (event !== undefined) parts.push(escapeUnsafe(event));
  if (typeof record.msg === "string" && record.msg !== "") parts.push(escapeUnsafe(record.msg));
  for (const [key, v] of Object.entries(record)) {
    if (!SHOWN_APART.has(key) && v !== undefined) parts.push(`${escapeUnsafe(key)}=${value(v)}`);
  }
  return `${parts.join(" ")}\n`;
}

/** A pino destination that writes pretty lines to `out` (process.stdout in development). */
export function prettyDestination(out: { write(text: string): unknown }, options: PrettyOptions): { write(line: string): boolean } {
  return {
    write(line: string): boolean {
      // pino hands over one line per call; split anyway so a batched write is never garbled.
      for (const one of line.split("\n")) {
        if (one.trim() === "") continue;
        const text = prettyLine(one, options);
        if (text !== "") out.write(text);
      }
      return true;
    },
  };
}
