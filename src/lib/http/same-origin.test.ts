import { describe, expect, it } from "vitest";
import { isSameOriginRequest } from "./same-origin";

const app = "http://localhost:3000";
const post = (headers: Record<string, string>) => new Request(`${app}/api/x`, { method: "POST", headers });

describe("isSameOriginRequest", () => {
  it("S40: accepts the app's own Origin", () => {
    expect(isSameOriginRequest(post({ origin: app }), app)).toBe(true);
  });
  it("S40: rejects another origin, a look-alike, and the null origin", () => {
    expect(isSameOriginRequest(post({ origin: "https://evil.com" }), app)).toBe(false);
    expect(isSameOriginRequest(post({ origin: "http://localhost:3000.evil.com" }), app)).toBe(false);
    expect(isSameOriginRequest(post({ origin: "null" }), app)).toBe(false);
    expect(isSameOriginRequest(post({ origin: "http://localhost:3001" }), app)).toBe(false);
  });
  it("S40: without Origin, trusts only Sec-Fetch-Site same-origin", () => {
    expect(isSameOriginRequest(post({ "sec-fetch-site": "same-origin" }), app)).toBe(true);
    expect(isSameOriginRequest(post({ "sec-fetch-site": "cross-site" }), app)).toBe(false);
    expect(isSameOriginRequest(post({ "sec-fetch-site": "same-site" }), app)).toBe(false);
    expect(isSameOriginRequest(post({}), app)).toBe(false);
  });
  it("S40: an Origin header wins over a forged same-origin fetch-site", () => {
    expect(isSameOriginRequest(post({ origin: "https://evil.com", "sec-fetch-site": "same-origin" }), app)).toBe(false);
  });
});
