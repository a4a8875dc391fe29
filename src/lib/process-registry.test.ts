import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { peekProcessSingleton, processPromise, processSingleton, resetProcessSingletons, setProcessSingleton } from "./process-registry";

declare module "@/lib/process-registry" {
  interface ProcessSlots {
    "test.value": { n: number };
    "test.promise": Promise<number>;
  }
}

afterEach(() => resetProcessSingletons(["test.value", "test.promise"]));

describe("process registry", () => {
  it("makes a value once and hands the same one to every caller", () => {
    const create = vi.fn(() => ({ n: 1 }));
    const first = processSingleton("test.value", create);
    expect(processSingleton("test.value", create)).toBe(first);
    expect(create).toHaveBeenCalledTimes(1);
  });

  it("is shared by another copy of the module, as a second bundle's copy would be", async () => {
    const mine = processSingleton("test.value", () => ({ n: 1 }));
    vi.resetModules();
    const copy = await import("./process-registry");
    expect(copy.peekProcessSingleton("test.value")).toBe(mine);
  });

  it("forgets a promise that rejected, so the next caller builds again", async () => {
    await expect(processPromise("test.promise", () => Promise.reject(new Error("not up yet")))).rejects.toThrow("not up yet");
    await Promise.resolve();
    expect(peekProcessSingleton("test.promise")).toBeUndefined();
    await expect(processPromise("test.promise", () => Promise.resolve(7))).resolves.toBe(7);
  });

  it("a rejection does not remove a value a test installed meanwhile", async () => {
    let fail!: (error: Error) => void;
    const failing = processPromise("test.promise", () => new Promise<number>((_, reject) => (fail = reject)));
    const installed = Promise.resolve(1);
    setProcessSingleton("test.promise", installed);
    fail(new Error("late"));
    await expect(failing).rejects.toThrow("late");
    expect(peekProcessSingleton("test.promise")).toBe(installed);
  });

  it("set, and reset of chosen slots", () => {
    setProcessSingleton("test.value", { n: 2 });
    expect(processSingleton("test.value", () => ({ n: 3 })).n).toBe(2);
    resetProcessSingletons(["test.value"]);
    expect(peekProcessSingleton("test.value")).toBeUndefined();
  });
});

/**
 * Process-wide state lives in one registry (docs/architecture.md, "One process registry, and
 * why"): a new `globalThis` holder, a `__socialflow…` property or a `Symbol.for` key anywhere
 * else in src/ fails here. The error brand (src/lib/errors/brand.ts) is the one other user of
 * `Symbol.for`, for the same reason, and documented with it.
 */
describe("no other process-wide holder", () => {
  const SRC = path.resolve(__dirname, "..");
  const ALLOWED = new Map([
    [path.join(SRC, "lib", "process-registry.ts"), /globalThis as|Symbol\.for\(/],
    [path.join(SRC, "lib", "errors", "brand.ts"), /Symbol\.for\(/],
  ]);
  const HOLDER = /globalThis\s*(?:as\b|\[)|__socialflow|Symbol\.for\(/;

  function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return sources(full);
      return /\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
    });
  }

  it("only src/lib/process-registry.ts (and the error brand's Symbol.for) keep state on globalThis", () => {
    const offenders: string[] = [];
    for (const file of sources(SRC)) {
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, index) => {
          const allowed = ALLOWED.get(file);
          const code = line.replace(/^\s*(\/\/|\*).*$/, "");
          if (HOLDER.test(code) && !(allowed && allowed.test(code) && !/__socialflow/.test(code))) {
            offenders.push(`${path.relative(SRC, file)}:${index + 1}: ${line.trim()}`);
          }
        });
    }
    expect(offenders).toEqual([]);
  });
});
