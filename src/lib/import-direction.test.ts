import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The layers import one way (docs/architecture.md, "Layers"): the connections core knows no
 * provider, a provider knows the core but no other provider, and only the composition root
 * (src/lib/services.ts), the features above it and the app reach into providers. Read from
 * the source files, so a new import in the wrong direction fails here, not in a review.
 */
const LIB = path.resolve(__dirname);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(full));
    else if (/\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) out.push(full);
  }
  return out;
}

/** The unit a file belongs to: `connections`, `providers/tiktok`, `uploads`, `services`, … */
function unitOf(file: string): string {
  const parts = path.relative(LIB, file).replace(/\.(ts|tsx)$/, "").split(path.sep);
  if (parts[0] === "providers" && parts.length > 2) return `providers/${parts[1]}`;
  return parts[0]!;
}

/** The src/lib files a file imports (through `@/lib/…` or a relative path). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
    if (spec!.startsWith("@/lib/")) out.push(path.join(LIB, spec!.slice("@/lib/".length)));
    else if (spec!.startsWith(".")) out.push(path.resolve(path.dirname(file), spec!));
  }
  return out.filter((target) => target.startsWith(LIB + path.sep));
}

const edges = new Map<string, Set<string>>();
for (const file of sources(LIB)) {
  const from = unitOf(file);
  for (const target of importsOf(file)) {
    const to = unitOf(target);
    if (to !== from) (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(to);
  }
}

describe("import direction", () => {
  it("the connections core imports no provider, no composition root and no feature above it", () => {
    const forbidden = [...(edges.get("connections") ?? [])].filter((to) => /^(providers|services|uploads|jobs|server-runtime)/.test(to));
    expect(forbidden).toEqual([]);
  });

  it("a provider imports the core, never another provider nor what is built on providers", () => {
    for (const [from, targets] of edges) {
      if (!from.startsWith("providers/")) continue;
      const forbidden = [...targets].filter((to) => (to.startsWith("providers") && to !== from) || /^(services|uploads|jobs|server-runtime)$/.test(to));
      expect(forbidden, from).toEqual([]);
    }
  });

  /** The connection layers (infrastructure — config, db, log — is below them and left out). */
  const LAYERED = /^(connections|providers\/.+|services|uploads|jobs)$/;

  it("the connection layers never import each other both ways, directly or round a loop", () => {
    const cycles: string[] = [];
    const visit = (unit: string, trail: string[]) => {
      for (const next of [...(edges.get(unit) ?? [])].filter((to) => LAYERED.test(to))) {
        if (next === trail[0]) cycles.push([...trail, next].join(" → "));
        else if (!trail.includes(next) && next > trail[0]!) visit(next, [...trail, next]);
      }
    };
    for (const unit of [...edges.keys()].filter((u) => LAYERED.test(u))) visit(unit, [unit]);
    expect(cycles).toEqual([]);
  });
});
