/**
 * Summarises a V8 .cpuprofile (from BENCH_PROFILE=1): self time by area (our code, each
 * dependency, Node internals, GC, idle) and the hottest functions.
 *
 *   npx tsx bench/profile-summary.ts /tmp/socialflow-bench-profiles/CPU.….cpuprofile [last-seconds]
 *
 * With `last-seconds`, only the samples of the profile's last N seconds of wall time count
 * (e.g. the load phases of a server profile, after its set-up). With `flows` as well (the
 * number of flows those seconds held, e.g. from BENCH_CONNECT_PHASE), times are also printed in
 * ms per flow.
 *
 * "By owner" charges each sample to the nearest frame on its stack that belongs to a package or
 * to this repository's code, so the Node internals a library calls (socket writes, buffers,
 * crypto, web streams) count as that library's: which code a flow's CPU is spent for.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function area(url: string, name: string): string {
  if (name === "(garbage collector)") return "GC";
  if (name === "(idle)") return "idle (waiting on network/database)";
  if (name === "(program)") return "V8/native (program)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith("node:")) return url.replace(/^node:(internal\/)?/, "node:").split("/").slice(0, 2).join("/");
  if (url.includes("/src/")) return `src/${url.split("/src/")[1]!.split("/").slice(0, 2).join("/")}`;
  if (url === "") return `native ${name || "(anonymous)"}`;
  return url.split("/").slice(-2).join("/");
}

/** The package or repository file a frame belongs to, if any (Node's own code belongs to none). */
function owner(url: string): string | undefined {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.includes("deps/undici")) return "Node's fetch (bundled undici)";
  for (const dir of ["src", "bench", "tests", "sandbox", "scripts"]) {
    if (url.includes(`/${dir}/`)) return `${dir}/${url.split(`/${dir}/`).at(-1)!}`;
  }
  return undefined;
}

const file = process.argv[2];
const lastSeconds = process.argv[3] === undefined ? Infinity : Number(process.argv[3]);
const flows = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
if (!file || !(lastSeconds > 0) || (flows !== undefined && !(flows > 0))) {
  console.error("usage: tsx bench/profile-summary.ts <file.cpuprofile> [last-seconds [flows]]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
const sampledAt: number[] = [];
profile.timeDeltas.reduce((at, delta, i) => (sampledAt[i] = at + delta), 0);
const from = (sampledAt.at(-1) ?? 0) - lastSeconds * 1e6;
profile.samples.forEach((id, i) => {
  if (sampledAt[i]! >= from) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const areas = new Map<string, number>();
const functions = new Map<string, number>();
for (const [id, us] of self) {
  const node = byId.get(id)!;
  const a = area(node.callFrame.url, node.callFrame.functionName);
  areas.set(a, (areas.get(a) ?? 0) + us);
  const f = `${node.callFrame.functionName || "(anonymous)"} ${a}:${node.callFrame.lineNumber + 1}`;
  functions.set(f, (functions.get(f) ?? 0) + us);
}
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const owners = new Map<string, number>();
for (const [id, us] of self) {
  const name = byId.get(id)!.callFrame.functionName;
  let label: string | undefined;
  if (name === "(idle)" || name === "(garbage collector)" || name === "(program)") label = area("", name);
  for (let at: number | undefined = id; label === undefined && at !== undefined; at = parentOf.get(at)) label = owner(byId.get(at)!.callFrame.url);
  label ??= "Node itself (event loop, microtasks, timers)";
  owners.set(label, (owners.get(label) ?? 0) + us);
}
const perFlow = (us: number) => (flows === undefined ? "" : `  ${(us / 1000 / flows).toFixed(3).padStart(7)} ms per flow`);
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
console.log(`total ${(total / 1e6).toFixed(2)} s sampled`);
console.log("\nself time by area:");
for (const [a, us] of [...areas].sort((x, y) => y[1] - x[1]).slice(0, 25)) console.log(`  ${pct(us)}  ${a}`);
console.log("\nself time by owner (the nearest package or repository file on the stack):");
for (const [o, us] of [...owners].sort((x, y) => y[1] - x[1]).slice(0, 30)) console.log(`  ${pct(us)}${perFlow(us)}  ${o}`);
console.log("\nhottest functions:");
for (const [f, us] of [...functions].sort((x, y) => y[1] - x[1]).slice(0, 25)) console.log(`  ${pct(us)}  ${f}`);
