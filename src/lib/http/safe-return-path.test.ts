import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { safeReturnPath } from "./safe-return-path";

const ORIGIN = "https://app.example";
/** A page several folders deep, the base `router.replace` resolves the destination against. */
const DEEP_PAGE = `${ORIGIN}/a/b/c?x=1#frag`;

/** Path-like strings built from the pieces that dot-segment and slash tricks are made of. */
const SEGMENTS = [
  "/", "//", "\\", "/\\", "..", ".", "%2e", "%2E", "%2e%2e", "%2E%2E", ".%2e", "%2f", "%5c",
  "evil.example", "@", ":", "?", "#", "a", "\t", "%09", " ", "http:", "javascript:",
];
const pathLike = fc
  .array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 12 })
  .map((parts) => parts.join(""));
const leadingSlashPathLike = pathLike.map((s) => `/${s}`);

function staysInApp(s: string) {
  const target = safeReturnPath(s);
  expect(new URL(target, ORIGIN).origin).toBe(ORIGIN);
  // router.replace resolves against the current page, not the origin's root.
  expect(new URL(target, DEEP_PAGE).origin).toBe(ORIGIN);
  expect(target.startsWith("/")).toBe(true);
  expect(target.startsWith("//") || target.startsWith("/\\")).toBe(false);
}

describe("safeReturnPath", () => {
  it("keeps in-app paths", () => {
    expect(safeReturnPath("/settings/accounts")).toBe("/settings/accounts");
    expect(safeReturnPath("/settings/accounts?x=1#y")).toBe("/settings/accounts?x=1#y");
    expect(safeReturnPath("/accounts/abc/videos?cursor=5")).toBe("/accounts/abc/videos?cursor=5");
    // Harmless dot segments are resolved, not refused.
    expect(safeReturnPath("/settings/../settings/accounts")).toBe("/settings/accounts");
  });

  it.each(["https://evil.com", "//evil.com", "/\\evil.com", "javascript:alert(1)", "%2F%2Fevil.com", "/\t/evil.com", "", null])(
    "S39: %s never leaves the app",
    (target) => {
      expect(safeReturnPath(target)).toBe("/");
    },
  );

  it.each([
    "/..//evil.example/",
    "/.//evil.example/",
    "/%2e%2e//evil.example/",
    "/%2E%2E//evil.example/",
    "/.%2e//evil.example/",
    "/a/..//evil.example/",
    "/a/b/../..//evil.example/",
    "/./..//evil.example/path?q=1",
  ])("S45: %s (normalised to a network-path reference) falls back to /", (target) => {
    expect(safeReturnPath(target)).toBe("/");
  });

  it("S45: for any string, the returned path resolves on this origin, from the root and from a deep page", () => {
    for (const arbitrary of [
      fc.string(),
      fc.string({ unit: "binary" }),
      fc.string({ unit: "grapheme" }),
      pathLike,
      leadingSlashPathLike,
    ]) {
      fc.assert(fc.property(arbitrary, staysInApp), { numRuns: 2_000 });
    }
  });
});
