/**
 * Deterministic helpers for seed data (no clock, no Math.random): every run and every process
 * derives the same users, ids and numbers from the same strings.
 */

/** mulberry32: tiny deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** FNV-1a 32-bit, for seeding from strings. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** hash32 as 8 hex digits: the tag in a synthetic user's names ("Load User 1a2b3c"). */
export function hashHex(s: string): string {
  return hash32(s).toString(16).padStart(8, "0");
}

const SYNTHETIC_PALETTE = ["#0ea5e9", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#ec4899"];

/** The avatar colour of a synthetic (load-test) user, from its id. */
export function syntheticColour(id: string): string {
  return SYNTHETIC_PALETTE[hash32(`c:${id}`) % SYNTHETIC_PALETTE.length] ?? "#0ea5e9";
}
