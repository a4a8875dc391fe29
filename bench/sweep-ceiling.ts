/**
 * What two cores allow the sweep, from the CPU each side was measured to spend per refresh in
 * the same run. Two figures:
 *
 * - the 2-core ceiling of the sweep as it is (sweeper + sandbox + PostgreSQL CPU per refresh);
 * - the ceiling at the client floor: the same, with the sweeper replaced by the least any
 *   refresher spends on its side of the HTTP exchange — the CPU the raw baseline's own client
 *   (`baselineRequest` in a plain loop, no database, no crypto) spent per token call. That is
 *   the best ratio this machine allows, whatever the sweeper's code.
 *
 * Both are upper bounds. PostgreSQL's figure is its backends' CPU for the statements that
 * exactly-once needs and the raw baseline does not make: the claim that takes each row's lease
 * and the durable write of the rotated pair with its `refreshed` event (the pair must be
 * committed before anyone uses it: the provider has already killed the old refresh token). It
 * counts only the backends serving the sweeper, not PostgreSQL's WAL writer or checkpointer, so
 * it is a lower bound of PostgreSQL's share. And a real refresher also spends CPU on its
 * database client and AES-GCM, which the client floor does not.
 */
import type { SweepRow } from "./refresh-sweep";

const CORES = 2;
/** Issue #14's goal for the 10k sweep, as a share of the sandboxes' raw token endpoints. */
export const SWEEP_GOAL_RATIO = 0.9;

/** CPU ms per refresh from a total in seconds; NaN stays NaN. */
export const perRefreshMs = (seconds: number, r: Pick<SweepRow, "size">): number => (seconds * 1000) / r.size;

/** PostgreSQL's CPU per refresh, 0 when it could not be read (the ceilings are then higher than true). */
function pgMs(r: SweepRow): number {
  return Number.isFinite(r.pgCpuSec) ? perRefreshMs(r.pgCpuSec, r) : 0;
}

/**
 * Refreshes/s two idle cores could sustain at the CPU each refresh was measured to cost
 * (sweeper + sandbox + PostgreSQL backends): the figure a loaded machine cannot show directly.
 */
export function ceilingPerSec(r: SweepRow): number {
  return twoCoreRate(perRefreshMs(r.sweeperCpuSec, r), r);
}

/** Refreshes/s two cores allow when the refresher's side costs `refresherMs`, the sandbox and PostgreSQL as measured. */
function twoCoreRate(refresherMs: number, r: SweepRow): number {
  return (CORES * 1000) / (refresherMs + perRefreshMs(r.sandboxCpuSec, r) + pgMs(r));
}

export interface SweepFloor {
  /** The baseline client's CPU per token call: the least a refresher spends on its side. */
  clientMs: number;
  sandboxMs: number;
  pgMs: number;
  /** 2 cores ÷ (client floor + sandbox + PostgreSQL) per refresh. */
  ceilingPerSec: number;
  /** min(1, that ceiling ÷ the sandboxes' raw rate): the best ratio this machine allows. */
  bestRatio: number;
  /**
   * The sweeper's CPU per refresh that SWEEP_GOAL_RATIO would need, with the sandbox and
   * PostgreSQL as measured: 2 cores ÷ (0.9 × raw rate) − sandbox − PostgreSQL. ≤ 0: none would do.
   */
  sweeperMsForGoal: number;
}

export function sweepFloor(r: SweepRow): SweepFloor | undefined {
  const clientMs = r.baselineClientCpuMs;
  const sandboxMs = perRefreshMs(r.sandboxCpuSec, r);
  if (!Number.isFinite(clientMs) || !Number.isFinite(sandboxMs)) return undefined;
  const pg = pgMs(r);
  const floorCeiling = twoCoreRate(clientMs, r);
  return {
    clientMs,
    sandboxMs,
    pgMs: pg,
    ceilingPerSec: floorCeiling,
    bestRatio: Math.min(1, floorCeiling / r.baselinePerSec),
    sweeperMsForGoal: (CORES * 1000) / (SWEEP_GOAL_RATIO * r.baselinePerSec) - sandboxMs - pg,
  };
}
