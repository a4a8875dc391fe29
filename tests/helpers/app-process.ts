import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

/** True when `next build` has produced a production build to start. */
export function hasProductionBuild(root = process.cwd()): boolean {
  return existsSync(path.join(root, ".next", "BUILD_ID"));
}

/**
 * A real `next start` instance of the built app, for tests that need whole processes
 * (several instances behind one database). Its output is kept for failure messages only.
 */
export async function startAppProcess(options: { port: number; env: Record<string, string> }): Promise<{
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}> {
  const chunks: string[] = [];
  const child: ChildProcess = spawn(process.execPath, [require.resolve("next/dist/bin/next"), "start", "-p", String(options.port)], {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => chunks.push(d.toString()));
  child.stderr?.on("data", (d: Buffer) => chunks.push(d.toString()));
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited early:\n${chunks.join("")}`);
    try {
      const health = await fetch(`${url}/api/health`);
      if (health.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`next start did not become healthy:\n${chunks.join("")}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    output: () => chunks.join(""),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
  };
}
