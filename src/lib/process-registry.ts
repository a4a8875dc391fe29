/**
 * The one process-wide registry (docs/architecture.md, "One process registry, and why").
 *
 * `next build` bundles the instrumentation hook, every route handler and every page separately,
 * and each bundle carries its own copy of the `src/lib` modules it imports: a module-level
 * `let pool` would exist once per copy, not once per process. The process must still share one
 * database pool, one Better Auth instance, one set of services (one refresher, whose in-process
 * single-flight map only works if there is one), one metrics registry, one set of account
 * caches. So whatever must be one per process lives here, under a single `globalThis` symbol,
 * which every copy of this module reaches alike — and nowhere else
 * (src/lib/process-registry.test.ts fails on any other `globalThis` holder in src/).
 *
 * Keys are typed: a module that owns a slot declares it next to its code,
 *
 *   declare module "@/lib/process-registry" {
 *     interface ProcessSlots { db: Promise<DatabaseHandle> }
 *   }
 *
 * so a misspelt key, or a second module storing something else under the same key, does not
 * compile.
 */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging, one slot per owning module
export interface ProcessSlots {}

export type ProcessKey = keyof ProcessSlots;

/** The keys whose value is built asynchronously. */
type PromiseKey = { [K in ProcessKey]: ProcessSlots[K] extends Promise<unknown> ? K : never }[ProcessKey];

type Slots = { [K in ProcessKey]?: ProcessSlots[K] };

const STORE = Symbol.for("socialflow.process");

function slots(): Slots {
  const g = globalThis as unknown as { [STORE]?: Slots };
  return (g[STORE] ??= Object.create(null) as Slots);
}

/** The process's value for `key`, made by `create` on first use. */
export function processSingleton<K extends ProcessKey>(key: K, create: () => ProcessSlots[K]): ProcessSlots[K] {
  const store = slots();
  if (store[key] === undefined) store[key] = create();
  return store[key]!;
}

/**
 * Like processSingleton for a value built asynchronously, but a build that fails is forgotten,
 * so the next caller tries again (the database was not up yet, say) instead of getting the
 * same rejection for the life of the process.
 */
export function processPromise<K extends PromiseKey>(key: K, create: () => ProcessSlots[K]): ProcessSlots[K] {
  const store = slots();
  const existing = store[key];
  if (existing !== undefined) return existing;
  const created = create();
  store[key] = created;
  (created as Promise<unknown>).catch(() => {
    if (slots()[key] === created) delete slots()[key];
  });
  return created;
}

/** The value for `key` if one was made, without making one. */
export function peekProcessSingleton<K extends ProcessKey>(key: K): ProcessSlots[K] | undefined {
  return slots()[key];
}

/** Installs (or, with undefined, forgets) the value for `key`: tests and stop/restart paths. */
export function setProcessSingleton<K extends ProcessKey>(key: K, value: ProcessSlots[K] | undefined): void {
  if (value === undefined) delete slots()[key];
  else slots()[key] = value;
}

/** Tests: forget the given slots (all of them without `keys`), so the next use builds anew. */
export function resetProcessSingletons(keys?: readonly ProcessKey[]): void {
  const store = slots();
  for (const key of keys ?? (Object.keys(store) as ProcessKey[])) delete store[key];
}
