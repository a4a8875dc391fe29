/**
 * Exponential backoff with jitter for transient refresh failures (AWS Architecture Blog,
 * "Exponential Backoff and Jitter"): 30 s, 1 min, 2 min … capped at 1 h, each drawn
 * between half and all of that step so that many accounts failing together spread out.
 */
export function refreshBackoffMs(failures: number, random: () => number = Math.random): number {
  const step = Math.min(60 * 60_000, 30_000 * 2 ** Math.max(0, failures - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}
