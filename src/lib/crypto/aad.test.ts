import { describe, expect, it } from "vitest";
import { encodeAad } from "./aad";

describe("S27 AAD encoding", () => {
  it("S27: tuples whose naive joins coincide encode differently", () => {
    const pairs: Array<[[string, string, string], [string, string, string]]> = [
      [["t", "a|b", "c"], ["t", "a", "b|c"]],
      [["ab", "c", "d"], ["a", "bc", "d"]],
      [["t", "r", ""], ["t", "", "r"]],
      [["t\u0000", "r", "f"], ["t", "\u0000r", "f"]],
    ];
    for (const [[t1, r1, f1], [t2, r2, f2]] of pairs) {
      const a = encodeAad("v1", "k1", { table: t1, rowId: r1, field: f1 });
      const b = encodeAad("v1", "k1", { table: t2, rowId: r2, field: f2 });
      expect(a.equals(b)).toBe(false);
    }
  });

  it("S27: the version and kid are part of the AAD", () => {
    const aad = { table: "social_accounts", rowId: "r1", field: "access_token" };
    const base = encodeAad("v1", "k1", aad);
    expect(base.equals(encodeAad("v2", "k1", aad))).toBe(false);
    expect(base.equals(encodeAad("v1", "k2", aad))).toBe(false);
    expect(base.equals(encodeAad("v1", "k1", { ...aad }))).toBe(true);
  });

  it("S27: each part is length-prefixed (4-byte big-endian) UTF-8", () => {
    const encoded = encodeAad("v1", "k", { table: "t", rowId: "é", field: "f" });
    // label, "v1", "k", "t", "é" (2 bytes), "f"
    const label = "socialflow/token-cipher";
    expect(encoded.readUInt32BE(0)).toBe(label.length);
    const rowIdOffset = 4 + label.length + (4 + 2) + (4 + 1) + (4 + 1);
    expect(encoded.readUInt32BE(rowIdOffset)).toBe(2);
    expect(encoded.subarray(rowIdOffset + 4, rowIdOffset + 6).toString("utf8")).toBe("é");
  });

  it("S27: the single-buffer encoding gives the same bytes as parts concatenated one by one", () => {
    // The construction encodeAad used before it wrote into one buffer, kept as the reference.
    const reference = (parts: string[]) =>
      Buffer.concat(
        parts.flatMap((part) => {
          const bytes = Buffer.from(part, "utf8");
          const length = Buffer.alloc(4);
          length.writeUInt32BE(bytes.length);
          return [length, bytes];
        }),
      );
    const samples = ["", "a", "social_accounts", "é", "日本語", "😀x", "\u0000", "x".repeat(256), "0b5e3a52-2c57-4e2e-9d6c-6c4c8f1c2d3e"];
    for (const table of samples) {
      for (const rowId of samples) {
        const field = rowId.length % 2 === 0 ? "access_token" : table;
        expect(encodeAad("v1", "k1", { table, rowId, field }).equals(reference(["socialflow/token-cipher", "v1", "k1", table, rowId, field]))).toBe(true);
      }
    }
  });
});
