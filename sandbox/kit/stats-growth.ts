/**
 * Stats that move with the sandbox clock (issue #13): the networks give only current counts, so
 * SocialFlow's analytics need counts that change between two snapshots. Every count here is a
 * pure function of a seed string (the user's or the video's id) and the stats time (days since
 * the sandbox started, see statsDays), so two processes and two runs agree, two users differ,
 * and advancing the clock makes them grow.
 *
 * Shapes, all non-decreasing integers:
 * - followers: linear growth at 0.2–1 % of the starting count a day, with a daily swell
 *   (faster in the "evening", never negative);
 * - a video's views: logarithmic, fast in its first days then slowing, 5–60 % more per e-fold
 *   of days; its likes, comments and shares scale with its views.
 */
import { hash32, prng } from "./seed";

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** A follower-like count (followers, subscribers, account likes) after `days` of stats time. */
export function grownFollowers(base: number, seed: string, days: number): number {
  const rnd = prng(hash32(`followers:${seed}`));
  const ratePerDay = 0.002 + rnd() * 0.008;
  const phase = rnd() * 2 * Math.PI;
  const d = Math.max(0, days);
  // d + 0.5·(sin(2πd + φ) − sin φ)/2π has slope 1 + 0.5·cos(…) ≥ 0.5: always growing, with a daily swell.
  const swollenDays = d + (0.5 * (Math.sin(2 * Math.PI * d + phase) - Math.sin(phase))) / (2 * Math.PI);
  return Math.floor(Math.max(base, 10) * ratePerDay * swollenDays) + base;
}

/** How much a video's counts have grown after `days` of stats time (1 at the start). */
export function viewGrowthFactor(seed: string, days: number): number {
  const rnd = prng(hash32(`views:${seed}`));
  const perEfold = 0.05 + rnd() * 0.55;
  return 1 + perEfold * Math.log1p(Math.max(0, days));
}

/** A video's count (views, likes, comments, shares) after `days` of stats time. */
export function grownCount(base: number, seed: string, days: number): number {
  return Math.floor(base * viewGrowthFactor(seed, days));
}

/**
 * Days of stats time at `nowMs`: the sandbox clock's time since `startMs` (the sandbox's start,
 * where every count is the seed's), run `scale` times faster and counted in whole minutes — `npm run dev` uses this so charts
 * fill within minutes. Counts therefore start again from the seed's when a sandbox restarts.
 */
export function statsDays(nowMs: number, startMs: number, scale: number): number {
  // Whole minutes of stats time: counts step once a stats minute, so two sandboxes started a
  // moment apart (two processes, a test's second sandbox) answer the same counts.
  const statsMinutes = Math.floor((Math.max(0, nowMs - startMs) * scale) / MINUTE_MS);
  return (statsMinutes * MINUTE_MS) / DAY_MS;
}
