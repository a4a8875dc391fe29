/**
 * Ports for `npm run dev`. A port the user set (PORT, SANDBOX_PORT) is used as given, and a
 * taken one stops the start with one line that names the variable. A default port that is
 * taken (another program, or another checkout's dev server) is not an error: the next free one
 * is used and said so, because nothing outside this process depends on the default.
 */
import { createServer } from "node:net";

export interface PortChoice {
  /** The environment variable that sets this port, named in every message. */
  variable: string;
  port: number;
  /** true when the user chose the port: never move it, fail instead. */
  explicit: boolean;
  /** Why a port the user did not set is fixed anyway (said in the failure message). */
  fixedBy?: string;
}

/** Reads a port variable; a value that is not a port number is a one-line error naming it. */
export function portFromEnv(variable: string, raw: string | undefined, fallback: number): PortChoice {
  if (raw === undefined || raw.trim() === "") return { variable, port: fallback, explicit: false };
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`${variable} must be a port number from 1 to 65535, got ${JSON.stringify(raw.slice(0, 20))}.`);
  }
  return { variable, port, explicit: true };
}

/** A port something else holds, named by the variable that moves it: one line, fit to print as is. */
export class PortInUseError extends Error {
  constructor(variable: string, port: number, how: string) {
    super(`${variable}=${port} is already in use by another program: ${how}.`);
    this.name = "PortInUseError";
  }
}

function isInUse(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "EADDRINUSE";
}

/** How many ports after a taken default are tried before asking the OS for any free one. */
const NEXT_PORTS_TRIED = 20;

/**
 * Calls `start(port)` on the chosen port; when that port is in use and was not set by the
 * user, on the following ones, then on port 0 (any free port, as the OS picks). `start` must
 * reject with the listen error (code EADDRINUSE) when the port is taken.
 */
export async function startOnFreePort<T>(
  choice: PortChoice,
  start: (port: number) => Promise<T>,
): Promise<{ value: T; moved: boolean }> {
  const candidates = choice.explicit
    ? [choice.port]
    : [...Array.from({ length: NEXT_PORTS_TRIED + 1 }, (_, i) => choice.port + i).filter((p) => p <= 65_535), 0];
  for (const port of candidates) {
    try {
      return { value: await start(port), moved: port !== choice.port };
    } catch (error) {
      if (!isInUse(error)) throw error;
      if (choice.explicit) {
        const how = choice.fixedBy
          ? `stop it, or set ${choice.variable} to a free port and ${choice.fixedBy} to match`
          : `stop it, or set ${choice.variable} to a free port (or leave ${choice.variable} unset to let npm run dev pick one)`;
        throw new PortInUseError(choice.variable, choice.port, how);
      }
    }
  }
  throw new Error(`No free port found for ${choice.variable}: set ${choice.variable} to a free port.`);
}

/**
 * Whether Next's dev server could listen on `port`: binds it the way Next does (no host, so
 * every interface) and lets it go at once. Rejects with EADDRINUSE when something holds it.
 */
export function probePort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(port, () => {
      const address = server.address();
      const bound = typeof address === "object" && address !== null ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * For a tool that must own a fixed port (the benchmarks' `next start`): refuses with a
 * PortInUseError naming `variable` when something already listens there, instead of starting
 * and then talking to whatever answers on it. Probes as `probePort` does (every interface).
 */
export async function requireFreePort(variable: string, port: number): Promise<void> {
  try {
    await probePort(port);
  } catch (error) {
    if (!isInUse(error)) throw error;
    throw new PortInUseError(variable, port, `stop it, or set ${variable} to a free port`);
  }
}
