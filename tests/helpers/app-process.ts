import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

/** The project's own folder, whatever the caller's working directory: `next start` serves its `.next/`. */
const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** True when `next build` has produced a production build to start. */
export function hasProductionBuild(root = PROJECT_ROOT): boolean {
  return existsSync(path.join(root, ".next", "BUILD_ID"));
}

export interface AppProcess {
  url: string;
  pid: number;
  /** Everything it printed so far (kept for failure messages). */
  output: () => string;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop: () => Promise<void>;
}

/**
 * A real `next start` instance of the built app, for tests and benchmarks that need whole
 * processes (several instances behind one database, load from outside). Resolves once
 * /api/health answers; its output is kept for failure messages only.
 */
export async function startAppProcess(options: {
  port: number;
  env: Record<string, string>;
  /** Flags for the Node process itself (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
}): Promise<AppProcess> {
  const chunks: string[] = [];
  const nextBin = require.resolve("next/dist/bin/next");
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), nextBin, "start", "-p", String(options.port)], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => chunks.push(d.toString()));
  child.stderr?.on("data", (d: Buffer) => chunks.push(d.toString()));
  const url = `http://127.0.0.1:${options.port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    });
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited early:\n${chunks.join("")}`);
    try {
      const health = await fetch(`${url}/api/health`);
      if (health.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not become healthy:\n${chunks.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, pid: child.pid!, output: () => chunks.join(""), stop };
}
