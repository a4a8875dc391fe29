import { describe, expect, it } from "vitest";
import { cleanAvatarUrl, cleanDisplayName, cleanHandle, MAX_DISPLAY_NAME } from "./profile-sanitize";

describe("profile sanitising", () => {
  it("S38: markup is kept as text (React escapes it), control and bidi characters go", () => {
    expect(cleanDisplayName('"><img src=x onerror=alert(1)>', "?")).toBe('"><img src=x onerror=alert(1)>');
    expect(cleanDisplayName("abc\u202Edcba\u2066x\u0000", "?")).toBe("abcdcbax");
  });
  it("S38: 10 000 characters are clamped", () => {
    expect(Array.from(cleanDisplayName("é".repeat(10_000), "?"))).toHaveLength(MAX_DISPLAY_NAME);
    expect(cleanDisplayName("😀".repeat(10_000), "?")).toBe("😀".repeat(MAX_DISPLAY_NAME));
  });
  it("S38: an empty or invisible name falls back", () => {
    expect(cleanDisplayName("\u202E\u200B ", "Unnamed")).toBe("Unnamed");
  });
  it("S38: avatar URLs must be https", () => {
    expect(cleanAvatarUrl("https://p16.tiktokcdn.com/a.jpeg")).toBe("https://p16.tiktokcdn.com/a.jpeg");
    for (const bad of ["http://p16.tiktokcdn.com/a.jpeg", "javascript:alert(1)", "data:image/svg+xml,<svg/>", "//x.com/a", "https://u:p@x.com/a", "not a url"]) {
      expect(cleanAvatarUrl(bad)).toBeUndefined();
    }
  });
  it("S38: http is accepted only from the configured provider origin", () => {
    expect(cleanAvatarUrl("http://127.0.0.1:4010/avatars/a.svg", "http://127.0.0.1:4010")).toBe("http://127.0.0.1:4010/avatars/a.svg");
    expect(cleanAvatarUrl("http://127.0.0.1:4011/avatars/a.svg", "http://127.0.0.1:4010")).toBeUndefined();
  });
});

describe("cleanHandle", () => {
  it("keeps a handle's own characters as @name, and drops anything else rather than showing it", () => {
    expect(cleanHandle("ava.sandbox")).toBe("@ava.sandbox");
    expect(cleanHandle("@Ada_Makes-Things")).toBe("@Ada_Makes-Things");
    for (const bad of [undefined, "", "   ", "a b", "<script>", "ava\u202e", "x".repeat(65), "@"]) expect(cleanHandle(bad)).toBeUndefined();
  });
});
