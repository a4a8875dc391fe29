/**
 * `npm run security:coverage`: lists each case S1–S77 of the security catalogue with the test
 * files that name it, and fails when any case has none (issue #7). A test names a case by
 * starting its title with the number, e.g. `it("S6: a replayed callback …")`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export const CASE_COUNT = 84;
const ROOTS = ["src", "tests", "sandbox", "scripts"];
const TEST_FILE = /\.(test|spec)\.tsx?$/;

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules" || entry.startsWith(".")) continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) yield* walk(full);
    // The scanner's own test names cases as sample input; it proves nothing about them.
    else if (TEST_FILE.test(entry) && entry !== "security-coverage.test.ts") yield full;
  }
}

/**
 * Case numbers a test file names in its test titles: `it("S6: …")`, `test('S12 …')`,
 * `it.each(…)("S39: …")`. A table's title is the first `)(` and quote after `.each(`, however
 * many parentheses its rows hold (`it.each([[f(1)]])("S5 …")`).
 */
export function casesNamedIn(source: string): Set<number> {
  const found = new Set<number>();
  const plain = /\b(?:it|test|describe)(?:\.(?!each\b)\w+)*\(\s*[`'"]\s*S(\d{1,3})\b/g;
  const table = /\b(?:it|test|describe)(?:\.\w+)*\.each\((?:(?!\)\(\s*[`'"])[\s\S]){0,4000}\)\(\s*[`'"]\s*S(\d{1,3})\b/g;
  for (const pattern of [plain, table]) {
    for (const match of source.matchAll(pattern)) {
      const n = Number(match[1]);
      if (n >= 1 && n <= CASE_COUNT) found.add(n);
    }
  }
  return found;
}

export function coverage(root: string): Map<number, string[]> {
  const byCase = new Map<number, string[]>();
  for (let n = 1; n <= CASE_COUNT; n++) byCase.set(n, []);
  for (const dir of ROOTS) {
    const abs = path.join(root, dir);
    try {
      statSync(abs);
    } catch {
      continue;
    }
    for (const file of walk(abs)) {
      for (const n of casesNamedIn(readFileSync(file, "utf8"))) byCase.get(n)!.push(path.relative(root, file));
    }
  }
  return byCase;
}

function main(): void {
  const byCase = coverage(process.cwd());
  const missing: number[] = [];
  for (const [n, files] of byCase) {
    if (files.length === 0) missing.push(n);
    console.log(`S${n}`.padEnd(4), files.length ? files.join(", ") : "MISSING");
  }
  if (missing.length > 0) {
    console.log(`\n${missing.length} case(s) without a test: ${missing.map((n) => `S${n}`).join(", ")}`);
    process.exit(1);
  }
  console.log(`\nAll ${CASE_COUNT} security cases have tests.`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) main();
