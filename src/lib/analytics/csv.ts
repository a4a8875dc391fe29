/** A CSV cell: text from a network or a user, a number we computed, or nothing. */
export type CsvCell = string | number | null | undefined;

/**
 * Cells a spreadsheet would read as a formula (OWASP "CSV Injection"): `=`, `+`, `-`, `@`, and
 * tab or carriage return before one of them.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One text cell, safe to open in a spreadsheet: a formula-looking start is neutralised with a
 * leading `'`, then the cell is quoted when it holds a comma, a quote or a line break, with quotes
 * doubled (RFC 4180 §2.6–2.7). Numbers are ours and written as they are.
 */
export function csvCell(cell: CsvCell): string {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "number") return Number.isFinite(cell) ? String(cell) : "";
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows to an RFC 4180 document: CRLF after every record, the header first. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(",") + "\r\n").join("");
}
