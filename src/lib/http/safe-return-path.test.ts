import { describe, expect, it } from "vitest";
import { safeReturnPath } from "./safe-return-path";

describe("safeReturnPath", () => {
  it("keeps in-app paths", () => {
    expect(safeReturnPath("/settings/accounts")).toBe("/settings/accounts");
    expect(safeReturnPath("/settings/accounts?x=1#y")).toBe("/settings/accounts?x=1#y");
  });
  it.each(["https://evil.com", "//evil.com", "/\\evil.com", "javascript:alert(1)", "%2F%2Fevil.com", "/\t/evil.com", "", null])(
    "S39: %s never leaves the app",
    (target) => {
      expect(safeReturnPath(target)).toBe("/");
    },
  );
});
