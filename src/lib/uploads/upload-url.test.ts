import { describe, expect, it } from "vitest";
import { acceptedUploadUrl } from "./upload-url";

const PRODUCTION = "https://open.tiktokapis.com";
const SANDBOX = "http://127.0.0.1:4100";

describe("acceptedUploadUrl: where a user's video may be PUT", () => {
  it.each([
    // TikTok's documented upload hosts (Upload / Direct Post references, Media Transfer Guide).
    "https://open-upload.tiktokapis.com/video/?upload_id=67890&upload_token=Xza123",
    "https://upload.us.tiktokapis.com/video/?upload_id=67890&upload_token=chunkexample",
    // The same family with a region.
    "https://open-upload.us.tiktokapis.com/upload?upload_id=1&upload_token=2",
    "https://open-upload-i18n.tiktokapis.com/video/?upload_id=1",
    "https://OPEN-UPLOAD.TIKTOKAPIS.COM/video/?upload_id=1",
    "https://open-upload.tiktokapis.com:443/video/",
    // The API's own origin.
    "https://open.tiktokapis.com/v2/upload/",
  ])("S57: accepts %s in production", (url) => {
    expect(acceptedUploadUrl(url, PRODUCTION)).toBe(new URL(url).href);
  });

  it.each([
    "http://open-upload.tiktokapis.com/video/?upload_id=1",
    "https://open-upload.tiktokapis.com:8443/video/",
    "https://user:pass@open-upload.tiktokapis.com/video/",
    "https://token@open-upload.tiktokapis.com/video/",
    "https://eviltiktokapis.com/video/",
    "https://open-upload.eviltiktokapis.com/video/",
    "https://open-upload.tiktokapis.com.evil.example/video/",
    "https://tiktokapis.com/video/",
    "https://api.tiktokapis.com/video/",
    "https://evil.example/open-upload.tiktokapis.com/",
    "https://upload.a.b.tiktokapis.com/video/",
    "https://open.tiktokapis.com.evil.example/",
    "https://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:4100/upload/1",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "data:text/plain,hi",
    "/relative/path",
    "",
    `https://open-upload.tiktokapis.com/${"a".repeat(5000)}`,
  ])("S57: refuses %s in production", (url) => {
    expect(acceptedUploadUrl(url, PRODUCTION)).toBeUndefined();
  });

  it("S57: with the sandbox as TIKTOK_API_BASE_URL, its exact origin is accepted (http), nothing else of that host", () => {
    expect(acceptedUploadUrl(`${SANDBOX}/upload/abc?upload_token=t`, SANDBOX)).toBe(`${SANDBOX}/upload/abc?upload_token=t`);
    expect(acceptedUploadUrl(`${SANDBOX}/upload/abc?upload_token=t`, `${SANDBOX}/`)).toBeDefined();
    expect(acceptedUploadUrl("http://127.0.0.1:4101/upload/abc", SANDBOX)).toBeUndefined();
    expect(acceptedUploadUrl("https://127.0.0.1:4100/upload/abc", SANDBOX)).toBeUndefined();
    expect(acceptedUploadUrl("http://localhost:4100/upload/abc", SANDBOX)).toBeUndefined();
    expect(acceptedUploadUrl("http://x@127.0.0.1:4100/upload/abc", SANDBOX)).toBeUndefined();
    // TikTok's own hosts stay allowed next to the sandbox.
    expect(acceptedUploadUrl("https://open-upload.tiktokapis.com/video/?upload_id=1", SANDBOX)).toBeDefined();
  });
});
