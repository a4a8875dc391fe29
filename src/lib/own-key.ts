/**
 * Looking up an outside string — a TikTok error code or fail_reason, an OAuth `error`, a scope,
 * a privacy option, a container name read from the user's file — in one of our fixed tables.
 * `table[key]` and `key in table` on a plain object also find what Object.prototype has
 * (`constructor`, `toString`, `hasOwnProperty`, `__proto__`), so such a string would pick a
 * function or an object where a message or an outcome is expected. Only own properties count
 * here (Object.hasOwn, ES2022), so unknown strings — these included — fall to the caller's default.
 */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string | null | undefined): T | undefined {
  return typeof key === "string" && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** True when `key` is one of the table's own keys (never an inherited one). */
export function isOwnKey<K extends string>(table: Readonly<Partial<Record<K, unknown>>>, key: string | null | undefined): key is K {
  return typeof key === "string" && Object.hasOwn(table, key);
}
