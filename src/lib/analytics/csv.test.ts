import { describe, expect, it } from "vitest";
import { csvCell, toCsv } from "./csv";

describe("CSV cells (RFC 4180, formula-injection safe)", () => {
  it("plain text and numbers as they are; null and undefined empty", () => {
    expect(csvCell("Morning routine")).toBe("Morning routine");
    expect(csvCell(12345)).toBe("12345");
    expect(csvCell(0.125)).toBe("0.125");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(Number.NaN)).toBe("");
  });

  it("quotes commas, quotes and line breaks, doubling quotes", () => {
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("cr\rhere")).toBe('"cr\rhere"');
  });

  it.each(["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")'])("neutralises a formula start: %j", (text) => {
    const cell = csvCell(text);
    const unquoted = cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
    expect(unquoted).toBe(`'${text}`);
  });

  it("a formula start in the middle of a cell is left alone; our numbers (even negative) are numbers", () => {
    expect(csvCell("a=1")).toBe("a=1");
    expect(csvCell(-5)).toBe("-5");
  });

  it("a document: header first, CRLF after every record", () => {
    expect(toCsv(["a", "b"], [[1, "x,y"], [null, "=z"]])).toBe('a,b\r\n1,"x,y"\r\n,\'=z\r\n');
  });
});
