/**
 * Issue #14's table: each figure now beside its goal, met or not. Printed at the end of
 * `npm run bench` and `npm run bench:load` with whatever the run measured.
 */
import type { ConnectResult } from "./connect-flow";
import type { LoadResult } from "./load-instance";
import type { SweepRow } from "./refresh-sweep";
import { fmt } from "./lib";
import { ceilingPerSec, SWEEP_GOAL_RATIO, sweepFloor } from "./sweep-ceiling";

export interface GoalRow {
  name: string;
  now: string;
  goal: string;
  met: boolean;
}

export function connectGoals(r: ConnectResult): GoalRow[] {
  const own = r.callbackOwn;
  const flowsRatio = r.flowsPerSec / r.baselineFlowsPerSec;
  // The minimal connect flow's ratio in the same run (bench/connect-floor.ts): about the most any
  // connect reaches here. One run's figure is one measurement, not a bound: read it over runs.
  const floorRatio = r.floorFlowsPerSec / r.baselineFlowsPerSec;
  const ownRatio = own.p99 / r.callbackTikTok.p99;
  // The minimal flow's callback in the same run: about the least a callback's own time can be here
  // (as noisy as the figure beside it: a stall during its rounds lifts its p99).
  const least = r.floorCallback;
  const leastRatio = least.own.p99 / least.tiktok.p99;
  // The required flow (bench/connect-required.ts): the minimal one plus what any multi-user web
  // app's connect must do, without SocialFlow's code. Where even it misses a goal, no connect
  // keeping the project's rules (docs/security.md) meets that goal in this run.
  const required = r.requiredCallback;
  const requiredRatio = r.requiredFlowsPerSec / r.baselineFlowsPerSec;
  return [
    {
      name: "callback's own time (total − TikTok's), p50 / p99",
      now: `${fmt(own.p50, 1)} / ${fmt(own.p99, 1)} ms (minimal flow: ${fmt(least.own.p50, 1)} / ${fmt(least.own.p99, 1)}; required: ${fmt(required.own.p50, 1)} / ${fmt(required.own.p99, 1)} ms)`,
      goal: "≤ 2 / ≤ 5 ms",
      met: own.p50 <= 2 && own.p99 <= 5,
    },
    {
      name: "ratio own / TikTok, p99",
      now: `${fmt(ownRatio, 2)} (minimal flow: ${fmt(leastRatio, 2)}; required: ${fmt(required.own.p99 / required.tiktok.p99, 2)})`,
      goal: "≤ 0.5",
      met: ownRatio <= 0.5,
    },
    {
      name: "connect flows/s vs the sandbox-only flow",
      now: `${fmt(r.flowsPerSec, 1)} vs ${fmt(r.baselineFlowsPerSec, 1)} (${fmt(flowsRatio, 2)}; minimal flow: ${fmt(floorRatio, 2)}; required: ${fmt(requiredRatio, 2)})`,
      goal: "≥ 0.5",
      met: flowsRatio >= 0.5,
    },
  ];
}

/**
 * The sweep's ratio, and beside it the share of what two cores could do at the CPU a refresh was
 * measured to cost on all three sides (sweeper, sandbox, PostgreSQL), and the best ratio two
 * cores allow at all: a sweeper spending only the raw baseline client's CPU per call
 * (bench/sweep-ceiling.ts). Where the ratio misses, these say whether SocialFlow or the machine
 * sets the limit.
 */
export function sweepGoals(rows: SweepRow[]): GoalRow[] {
  const row = rows.find((r) => r.size === 10_000);
  if (!row) return [];
  const ofCeiling = row.refreshesPerSec / ceilingPerSec(row);
  const floor = sweepFloor(row);
  const notes = [
    ...(Number.isFinite(ofCeiling) ? [`${fmt(ofCeiling, 2)} of the 2-core ceiling`] : []),
    ...(floor ? [`at most ${fmt(floor.bestRatio, 2)} here`] : []),
  ];
  const now = notes.length > 0 ? `${fmt(row.ratio, 2)} (${notes.join("; ")})` : fmt(row.ratio, 2);
  return [{ name: "10k sweep vs the sandboxes' raw token endpoints", now, goal: `≥ ${SWEEP_GOAL_RATIO}`, met: row.ratio >= SWEEP_GOAL_RATIO }];
}

export function loadGoals(r: LoadResult): GoalRow[] {
  const phase = r.phases.find((p) => p.name.startsWith("refresh:"));
  const refresh = phase?.ops[0];
  if (!phase || !refresh) return [];
  // The cheapest route on the same instance in the same run: Next.js's own share of the figure.
  const floorPhase = r.phases.find((p) => p.name.startsWith("floor:"));
  const floor = floorPhase?.ops[0];
  const floorText = floorPhase && floor ? ` (health route: ${fmt(floor.perSec)}/s, ${fmt(floorPhase.serverCpuMsPerRequest, 1)} ms)` : "";
  return [
    {
      name: "refresh route on one `next start`",
      now: `${fmt(refresh.perSec)}/s, ${fmt(phase.serverCpuMsPerRequest, 1)} ms CPU per request${floorText}`,
      goal: "≥ 500/s, ≤ 2 ms CPU",
      met: refresh.perSec >= 500 && phase.serverCpuMsPerRequest <= 2,
    },
  ];
}

export function printGoals(rows: GoalRow[], log: (line: string) => void): void {
  if (rows.length === 0) return;
  const width = Math.max(...rows.map((r) => r.name.length));
  const nowWidth = Math.max(3, ...rows.map((r) => r.now.length));
  log("");
  log("Issue #14 goals (this run):");
  log(`  ${"".padEnd(width)}  ${"now".padStart(nowWidth)}  ${"goal".padEnd(20)}  met`);
  for (const r of rows) log(`  ${r.name.padEnd(width)}  ${r.now.padStart(nowWidth)}  ${r.goal.padEnd(20)}  ${r.met ? "yes" : "NO"}`);
}
