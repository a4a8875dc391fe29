/**
 * Sums the results of the CI suites (.ci/run) and prints one line per suite and, last, a plain
 *
 *   N passed, N failed, N skipped
 *
 *   tsx scripts/ci-summary.ts .ci-out/*.json
 *
 * Understands three JSON shapes:
 * - Vitest's json reporter (`numPassedTests`, `numFailedTests`, `numPendingTests`, `numTodoTests`,
 *   `testResults[].status`, `success`).
 * - Playwright's json reporter (`stats.expected | unexpected | flaky | skipped`, `errors`).
 * - .ci/run's command record `{ "ciCommand": name, "exitCode": n, "crashed"?: true }`, written
 *   for a plain command (1 passed or 1 failed) and for a suite that ended without writing its
 *   JSON (1 failed).
 *
 * Nothing failing is ever hidden: a flaky Playwright test counts as failed (retries are 0, so a
 * "flaky" result means someone turned them on), a file that failed to load or a run-level error
 * with no failing test counts as 1 failed, and a suite whose recorded exit code (`<name>.exit`
 * beside the JSON) is non-zero while its JSON shows no failure counts as 1 failed.
 * Exits 1 when anything failed, 0 otherwise.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export interface SuiteResult {
  suite: string;
  kind: "vitest" | "playwright" | "command" | "unknown";
  passed: number;
  failed: number;
  skipped: number;
  /** Why failures were added beyond the per-test counts (shown on the suite line). */
  notes: string[];
  /** Which tests failed (file › title: first line of the message), printed above the totals so a red run names its culprit. */
  failures?: string[];
}

export interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}

type Json = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0);
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function fromVitest(suite: string, report: Json): SuiteResult {
  const result: SuiteResult = {
    suite,
    kind: "vitest",
    passed: num(report.numPassedTests),
    failed: num(report.numFailedTests),
    skipped: num(report.numPendingTests) + num(report.numTodoTests),
    notes: [],
  };
  // A test file that fails to load (syntax error, import error, failing beforeAll) has no failing test.
  const files = Array.isArray(report.testResults) ? report.testResults.filter(isObject) : [];
  const failures: string[] = [];
  for (const file of files) {
    if (file.status !== "failed") continue;
    const assertions = Array.isArray(file.assertionResults) ? file.assertionResults.filter(isObject) : [];
    for (const a of assertions) {
      if (a.status !== "failed") continue;
      const messages = Array.isArray(a.failureMessages) ? a.failureMessages : [];
      failures.push(describeFailure(file.name, a.fullName ?? a.title, messages[0]));
    }
    if (!assertions.some((a) => a.status === "failed")) {
      result.failed += 1;
      result.notes.push(`file failed without a failing test: ${typeof file.name === "string" ? file.name : "?"}`);
    }
  }
  if (report.success === false && result.failed === 0) {
    result.failed += 1;
    result.notes.push("run reported success=false (e.g. unhandled error)");
  }
  if (failures.length > 0) result.failures = failures;
  return result;
}

const MAX_FAILURE_MESSAGE = 300;

/** `file › title: first line of the message`, the file relative to the repository and the message cut short. */
export function describeFailure(file: unknown, title: unknown, message: unknown): string {
  const root = process.cwd() + path.sep;
  const where = typeof file === "string" ? (file.startsWith(root) ? file.slice(root.length) : file) : "?";
  const what = typeof title === "string" ? title : "?";
  const firstLine = typeof message === "string" ? (message.split("\n").find((line) => line.trim() !== "") ?? "").trim() : "";
  const cut = firstLine.length > MAX_FAILURE_MESSAGE ? `${firstLine.slice(0, MAX_FAILURE_MESSAGE)}…` : firstLine;
  return cut ? `${where} › ${what}: ${cut}` : `${where} › ${what}`;
}

function fromPlaywright(suite: string, report: Json): SuiteResult {
  const stats = isObject(report.stats) ? report.stats : {};
  const result: SuiteResult = {
    suite,
    kind: "playwright",
    passed: num(stats.expected),
    failed: num(stats.unexpected) + num(stats.flaky),
    skipped: num(stats.skipped),
    notes: [],
  };
  if (num(stats.flaky) > 0) result.notes.push(`${num(stats.flaky)} flaky counted as failed`);
  const failures = playwrightFailures(Array.isArray(report.suites) ? report.suites : []);
  if (failures.length > 0) result.failures = failures;
  // Global errors: web server did not start, global setup threw, no tests found, ...
  const errors = Array.isArray(report.errors) ? report.errors : [];
  if (errors.length > 0 && result.failed === 0) {
    result.failed += 1;
    const first = errors.find(isObject);
    const message = first && typeof first.message === "string" ? first.message.split("\n")[0] : "global error";
    result.notes.push(`run error: ${message}`);
  }
  return result;
}

function fromCommand(suite: string, report: Json): SuiteResult {
  const ok = report.exitCode === 0 && report.crashed !== true;
  const name = typeof report.ciCommand === "string" ? report.ciCommand : suite;
  return {
    suite,
    kind: "command",
    passed: ok ? 1 : 0,
    failed: ok ? 0 : 1,
    skipped: 0,
    notes: ok ? [] : [report.crashed === true ? `${name} ended (exit ${String(report.exitCode)}) without writing its report` : `${name} exited ${String(report.exitCode)}`],
  };
}

/** Walks Playwright's nested suites for specs that did not end as expected. */
function playwrightFailures(suites: unknown[]): string[] {
  const failures: string[] = [];
  for (const suite of suites.filter(isObject)) {
    for (const spec of (Array.isArray(suite.specs) ? suite.specs : []).filter(isObject)) {
      if (spec.ok !== false) continue;
      const tests = (Array.isArray(spec.tests) ? spec.tests : []).filter(isObject);
      const results = tests.flatMap((t) => (Array.isArray(t.results) ? t.results : [])).filter(isObject);
      const error = results.map((r) => r.error).find(isObject);
      failures.push(describeFailure(spec.file ?? suite.file, spec.title, error?.message));
    }
    failures.push(...playwrightFailures(Array.isArray(suite.suites) ? suite.suites : []));
  }
  return failures;
}

/** Interprets one parsed report. Unknown shapes count as 1 failed (a report we cannot read is no pass). */
export function summarizeReport(suite: string, report: unknown): SuiteResult {
  if (isObject(report)) {
    if ("ciCommand" in report) return fromCommand(suite, report);
    if (isObject(report.stats) && "expected" in report.stats) return fromPlaywright(suite, report);
    if ("numTotalTests" in report || "numPassedTests" in report) return fromVitest(suite, report);
  }
  return { suite, kind: "unknown", passed: 0, failed: 1, skipped: 0, notes: ["unrecognised report format"] };
}

/** Adds one failure when the suite's process exited non-zero but its report shows none. */
export function applyExitCode(result: SuiteResult, exitCode: number | undefined): SuiteResult {
  if (exitCode === undefined || exitCode === 0 || result.failed > 0) return result;
  return { ...result, failed: result.failed + 1, notes: [...result.notes, `exited ${exitCode} with no failing test reported`] };
}

/** Reads `<file>` (and `<file without .json>.exit` if present) into a suite result. */
export function summarizeFile(file: string): SuiteResult {
  const suite = path.basename(file).replace(/\.json$/, "");
  let result: SuiteResult;
  try {
    result = summarizeReport(suite, JSON.parse(readFileSync(file, "utf8")));
  } catch (error) {
    result = { suite, kind: "unknown", passed: 0, failed: 1, skipped: 0, notes: [`unreadable report: ${(error as Error).message}`] };
  }
  const exitFile = file.replace(/\.json$/, "") + ".exit";
  if (existsSync(exitFile)) {
    const code = Number.parseInt(readFileSync(exitFile, "utf8").trim(), 10);
    result = applyExitCode(result, Number.isNaN(code) ? 1 : code);
  }
  return result;
}

export function total(results: SuiteResult[]): Totals {
  return results.reduce<Totals>(
    (t, r) => ({ passed: t.passed + r.passed, failed: t.failed + r.failed, skipped: t.skipped + r.skipped }),
    { passed: 0, failed: 0, skipped: 0 },
  );
}

export function formatTotals(t: Totals): string {
  return `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`;
}

export function formatSuiteLine(r: SuiteResult): string {
  const notes = r.notes.length > 0 ? `  (${r.notes.join("; ")})` : "";
  return `${r.failed > 0 ? "FAIL" : "ok  "} ${r.suite.padEnd(10)} ${r.kind.padEnd(10)} ${formatTotals(r)}${notes}`;
}

function main(argv: string[]): number {
  const files = argv.filter((a) => a.endsWith(".json") && existsSync(a));
  const missing = argv.filter((a) => !files.includes(a));
  if (files.length === 0) {
    console.log("no suite reports given");
    console.log(formatTotals({ passed: 0, failed: 1, skipped: 0 }));
    return 1;
  }
  const results = files.map(summarizeFile);
  for (const m of missing) results.push({ suite: m, kind: "unknown", passed: 0, failed: 1, skipped: 0, notes: ["report file missing"] });
  for (const r of results) for (const failure of r.failures ?? []) console.log(`failed in ${r.suite}: ${failure}`);
  for (const r of results) console.log(formatSuiteLine(r));
  const t = total(results);
  console.log(formatTotals(t));
  return t.failed > 0 ? 1 : 0;
}

const invokedDirectly = process.argv[1] !== undefined && /ci-summary\.ts$/.test(process.argv[1]);
if (invokedDirectly) process.exit(main(process.argv.slice(2)));
