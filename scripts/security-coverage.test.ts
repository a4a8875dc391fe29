import { describe, expect, it } from "vitest";
import { casesNamedIn } from "./security-coverage";

describe("security coverage scanner", () => {
  it("finds case numbers at the start of test titles only", () => {
    const source = `
      it("S6: a replayed callback exchanges the code once", () => {});
      test('S12 another provider', () => {});
      it.each(["a"])("S39: %s never leaves", () => {});
      describe(\`S40: headers\`, () => {});
      // S7 in a comment does not count
      it("mentions S8 later", () => {});
      it("S41: in range since the audit cases", () => {});
      it("S99: out of range", () => {});
      it("S100: out of range too, not S10", () => {});
    `;
    expect([...casesNamedIn(source)].sort((a, b) => a - b)).toEqual([6, 12, 39, 40, 41]);
  });

  it("reads a table's title past parentheses in its rows", () => {
    const source = `
      it.each([
        ["a (first)", f(1)],
        ["b", g(h(2))],
      ])("S21: %s is refused", () => {});
      test.concurrent.each([[1]])('S22 %s', () => {});
      it.each([["x"]])("plain title", () => {});
      call(x)("S23: not a test");
    `;
    expect([...casesNamedIn(source)].sort((a, b) => a - b)).toEqual([21, 22]);
  });
});
