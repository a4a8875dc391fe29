/**
 * `instanceof` that holds across copies of a module. A `next build` gives every route and
 * page its own copy of `src/lib`, while the services are built once per process and shared
 * through the process registry (src/lib/process-registry.ts) — so an error thrown by the
 * services is often another copy's class. Each class marks its instances with a process-wide
 * `Symbol.for` brand and answers `instanceof` by it (docs/architecture.md, "One process
 * registry, and why"):
 *
 *   const MINE = brand("MyError");
 *   class MyError extends Error {
 *     static [Symbol.hasInstance](value: unknown) { return MINE.test(value); }
 *     constructor() { super("…"); MINE.mark(this); }
 *   }
 */
export function brand(name: string) {
  const key = Symbol.for(`socialflow.error.${name}`);
  return {
    mark: (error: Error) => Object.defineProperty(error, key, { value: true, enumerable: false }),
    test: (value: unknown) => typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[key] === true,
  };
}
