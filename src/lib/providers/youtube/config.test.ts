import { describe, expect, it } from "vitest";
import { loadYouTubeConfig, YOUTUBE_READONLY, YOUTUBE_UPLOAD } from "./config";

const base = { GOOGLE_CLIENT_ID: "123.apps.googleusercontent.com", GOOGLE_CLIENT_SECRET: "GOCSPX-secret-value" };

describe("YouTube configuration", () => {
  it("no GOOGLE_CLIENT_ID: YouTube is not offered", () => {
    expect(loadYouTubeConfig({}, "https://app.example")).toBeUndefined();
    expect(loadYouTubeConfig({ GOOGLE_CLIENT_ID: "  " }, "https://app.example")).toBeUndefined();
  });

  it("Google's endpoints, both YouTube scopes as URLs, the callback under the app URL by default", () => {
    expect(loadYouTubeConfig(base, "https://app.example/")).toEqual({
      clientId: base.GOOGLE_CLIENT_ID,
      clientSecret: base.GOOGLE_CLIENT_SECRET,
      authUrl: "https://accounts.google.com/o/oauth2/v2/auth",
      tokenUrl: "https://oauth2.googleapis.com/token",
      revokeUrl: "https://oauth2.googleapis.com/revoke",
      apiBaseUrl: "https://www.googleapis.com",
      scopes: [YOUTUBE_READONLY, YOUTUBE_UPLOAD],
      sandbox: false,
      redirectUri: "https://app.example/api/oauth/youtube/callback",
    });
  });

  it("YOUTUBE_SCOPES: short names expand to Google's URLs; openid stays short; duplicates go", () => {
    const config = loadYouTubeConfig({ ...base, YOUTUBE_SCOPES: "youtube.readonly, openid https://www.googleapis.com/auth/youtube.readonly" }, "http://localhost:3000");
    expect(config?.scopes).toEqual([YOUTUBE_READONLY, "openid"]);
    const signIn = loadYouTubeConfig({ ...base, YOUTUBE_SCOPES: "email profile" }, "http://localhost:3000");
    expect(signIn?.scopes).toEqual(["https://www.googleapis.com/auth/userinfo.email", "https://www.googleapis.com/auth/userinfo.profile"]);
  });

  it("a client id without its secret, a bad URL or a bad scope is refused, naming the variable, never its value", () => {
    expect(() => loadYouTubeConfig({ GOOGLE_CLIENT_ID: "x" }, "http://localhost:3000")).toThrow("GOOGLE_CLIENT_SECRET");
    expect(() => loadYouTubeConfig({ ...base, GOOGLE_TOKEN_URL: "javascript:alert(1)" }, "http://localhost:3000")).toThrow(/GOOGLE_TOKEN_URL$/);
    expect(() => loadYouTubeConfig({ ...base, YOUTUBE_SCOPES: "youtube.readonly <x>" }, "http://localhost:3000")).toThrow("YOUTUBE_SCOPES");
    const error = (() => {
      try {
        loadYouTubeConfig({ ...base, GOOGLE_AUTH_URL: "not a url secret-ish" }, "http://localhost:3000");
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).not.toContain("secret-ish");
  });

  it("GOOGLE_SANDBOX=on marks the sandbox", () => {
    expect(loadYouTubeConfig({ ...base, GOOGLE_SANDBOX: "on" }, "http://localhost:3000")?.sandbox).toBe(true);
  });
});
