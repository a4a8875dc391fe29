import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyExitCode, formatSuiteLine, formatTotals, summarizeFile, summarizeReport, total } from "./ci-summary";

/** Shaped like Vitest 4's json reporter output (trimmed). */
const vitestReport = {
  numTotalTestSuites: 2,
  numFailedTestSuites: 2,
  numTotalTests: 4,
  numPassedTests: 1,
  numFailedTests: 1,
  numPendingTests: 1,
  numTodoTests: 1,
  success: false,
  testResults: [
    {
      name: "/r/a.test.ts",
      status: "failed",
      assertionResults: [
        { status: "passed" },
        { status: "failed", fullName: "store keeps the pair", failureMessages: ["\nAssertionError: expected 1 to be 2\n    at a.test.ts:3"] },
        { status: "skipped" },
        { status: "todo" },
      ],
    },
    { name: "/r/b.test.ts", status: "failed", message: "Cannot find module './nonexistent'", assertionResults: [] },
  ],
};

/** Shaped like Playwright 1.65's json reporter output (trimmed). */
const playwrightReport = {
  config: {},
  suites: [],
  errors: [],
  stats: { startTime: "2026-01-01T00:00:00.000Z", duration: 1234, expected: 5, skipped: 2, unexpected: 1, flaky: 0 },
};

describe("summarizeReport", () => {
  it("reads Vitest counts, counting a file that failed to load as one failure and todo as skipped", () => {
    const r = summarizeReport("unit", vitestReport);
    expect(r).toMatchObject({ kind: "vitest", passed: 1, failed: 2, skipped: 2 });
    expect(r.notes.join()).toContain("/r/b.test.ts");
  });

  it("names each failed Vitest test with the first line of its message", () => {
    expect(summarizeReport("unit", vitestReport).failures).toEqual(["/r/a.test.ts › store keeps the pair: AssertionError: expected 1 to be 2"]);
  });

  it("names each failed Playwright spec, however deeply its suite is nested", () => {
    const report = {
      ...playwrightReport,
      suites: [
        {
          file: "walk.spec.ts",
          specs: [{ title: "passes", ok: true, tests: [] }],
          suites: [{ file: "walk.spec.ts", specs: [{ title: "connects", ok: false, file: "walk.spec.ts", tests: [{ results: [{ error: { message: "Timeout 5000ms exceeded.\nCall log:" } }] }] }] }],
        },
      ],
    };
    expect(summarizeReport("e2e", report).failures).toEqual(["walk.spec.ts › connects: Timeout 5000ms exceeded."]);
  });

  it("cuts a long failure message short", () => {
    const r = summarizeReport("unit", { ...vitestReport, testResults: [{ name: "x.test.ts", status: "failed", assertionResults: [{ status: "failed", title: "t", failureMessages: ["y".repeat(1000)] }] }] });
    expect(r.failures?.[0]?.length).toBeLessThan(330);
  });

  it("a green Vitest run is all passes", () => {
    const r = summarizeReport("unit", {
      numTotalTests: 3,
      numPassedTests: 3,
      numFailedTests: 0,
      numPendingTests: 0,
      numTodoTests: 0,
      success: true,
      testResults: [{ name: "/r/a.test.ts", status: "passed", assertionResults: [{ status: "passed" }] }],
    });
    expect(r).toMatchObject({ passed: 3, failed: 0, skipped: 0, notes: [] });
  });

  it("a Vitest run with success=false but no failing test (unhandled error) counts one failure", () => {
    const r = summarizeReport("unit", { numTotalTests: 2, numPassedTests: 2, numFailedTests: 0, success: false, testResults: [] });
    expect(r).toMatchObject({ passed: 2, failed: 1 });
  });

  it("reads Playwright stats", () => {
    expect(summarizeReport("e2e", playwrightReport)).toMatchObject({ kind: "playwright", passed: 5, failed: 1, skipped: 2 });
  });

  it("counts a flaky Playwright test as failed", () => {
    const r = summarizeReport("e2e", { ...playwrightReport, stats: { ...playwrightReport.stats, unexpected: 0, flaky: 2 } });
    expect(r).toMatchObject({ passed: 5, failed: 2 });
    expect(r.notes.join()).toContain("flaky");
  });

  it("counts a Playwright global error (web server never started) as one failure", () => {
    const r = summarizeReport("e2e", {
      ...playwrightReport,
      stats: { ...playwrightReport.stats, expected: 0, unexpected: 0, skipped: 0 },
      errors: [{ message: 'Error: Timed out waiting 120000ms from config.webServer.\n    at ...' }],
    });
    expect(r).toMatchObject({ passed: 0, failed: 1 });
    expect(r.notes.join()).toContain("Timed out waiting 120000ms from config.webServer.");
    expect(r.notes.join()).not.toContain("at ...");
  });

  it("reads command records: exit 0 is one pass, non-zero or a crash is one failure", () => {
    expect(summarizeReport("security", { ciCommand: "security:coverage", exitCode: 0 })).toMatchObject({ kind: "command", passed: 1, failed: 0 });
    expect(summarizeReport("security", { ciCommand: "security:coverage", exitCode: 2 })).toMatchObject({ passed: 0, failed: 1 });
    const crashed = summarizeReport("e2e", { ciCommand: "npm run test:e2e", exitCode: 1, crashed: true });
    expect(crashed).toMatchObject({ passed: 0, failed: 1 });
    expect(crashed.notes[0]).toContain("without writing its report");
  });

  it("treats anything unrecognised as one failure", () => {
    for (const junk of [null, 42, "x", [], {}, { stats: {} }]) {
      expect(summarizeReport("x", junk)).toMatchObject({ kind: "unknown", passed: 0, failed: 1 });
    }
  });

  it("ignores negative or non-numeric counts", () => {
    const r = summarizeReport("unit", { numTotalTests: 1, numPassedTests: -3, numFailedTests: "2", success: true });
    expect(r).toMatchObject({ passed: 0, failed: 0 });
  });
});

describe("applyExitCode", () => {
  const green = summarizeReport("unit", { numTotalTests: 1, numPassedTests: 1, numFailedTests: 0, success: true });
  it("adds one failure when the process failed but the report shows none", () => {
    expect(applyExitCode(green, 1)).toMatchObject({ passed: 1, failed: 1 });
  });
  it("leaves a report alone when the exit code is 0 or failures are already counted", () => {
    expect(applyExitCode(green, 0)).toEqual(green);
    const red = summarizeReport("e2e", playwrightReport);
    expect(applyExitCode(red, 1)).toEqual(red);
  });
});

describe("summarizeFile", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("names the suite after the file and applies the .exit file beside it", () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "ci-summary-"));
    const file = path.join(dir, "pg.json");
    writeFileSync(file, JSON.stringify({ numTotalTests: 4, numPassedTests: 4, numFailedTests: 0, success: true }));
    expect(summarizeFile(file)).toMatchObject({ suite: "pg", passed: 4, failed: 0 });
    writeFileSync(path.join(dir, "pg.exit"), "1\n");
    expect(summarizeFile(file)).toMatchObject({ suite: "pg", passed: 4, failed: 1 });
  });

  it("counts an unreadable report as one failure", () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "ci-summary-"));
    const file = path.join(dir, "unit.json");
    writeFileSync(file, "{ truncated");
    expect(summarizeFile(file)).toMatchObject({ suite: "unit", passed: 0, failed: 1 });
  });
});

describe("totals", () => {
  it("sums across suites and prints the final line as `N passed, N failed, N skipped`", () => {
    const results = [
      summarizeReport("unit", vitestReport),
      summarizeReport("e2e", playwrightReport),
      summarizeReport("security", { ciCommand: "security:coverage", exitCode: 0 }),
    ];
    const t = total(results);
    expect(t).toEqual({ passed: 7, failed: 3, skipped: 4 });
    expect(formatTotals(t)).toBe("7 passed, 3 failed, 4 skipped");
    expect(formatTotals(t)).toMatch(/^\d+ passed, \d+ failed(, \d+ skipped)?$/);
  });

  it("marks failing suites on their line", () => {
    expect(formatSuiteLine(summarizeReport("e2e", playwrightReport))).toMatch(/^FAIL e2e/);
    expect(formatSuiteLine(summarizeReport("security", { ciCommand: "security:coverage", exitCode: 0 }))).toMatch(/^ok {3}security/);
  });
});
