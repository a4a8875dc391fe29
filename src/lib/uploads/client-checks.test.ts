import { describe, expect, it } from "vitest";
import { canPreview, checkChosenFile } from "./client-checks";
import { MAX_VIDEO_BYTES } from "./chunk-plan";

describe("checkChosenFile (the page's instant checks)", () => {
  it("takes MP4, MOV and WEBM by name or by MIME type", () => {
    expect(checkChosenFile({ name: "clip.MP4", size: 10, type: "" })).toEqual({ ok: true, type: "video/mp4" });
    expect(checkChosenFile({ name: "clip.mov", size: 10, type: "video/quicktime" })).toEqual({ ok: true, type: "video/quicktime" });
    expect(checkChosenFile({ name: "clip", size: 10, type: "video/webm" })).toEqual({ ok: true, type: "video/webm" });
  });

  it("refuses other types, empty files and files over 4 GB (or a lower cap) with what is allowed", () => {
    expect(checkChosenFile({ name: "clip.avi", size: 10, type: "video/x-msvideo" })).toMatchObject({ ok: false, message: expect.stringMatching(/MP4 \(recommended\), MOV or WEBM/) });
    expect(checkChosenFile({ name: "a.mp4", size: 0, type: "video/mp4" })).toMatchObject({ ok: false, message: expect.stringMatching(/empty/) });
    expect(checkChosenFile({ name: "a.mp4", size: MAX_VIDEO_BYTES + 1, type: "video/mp4" })).toEqual({ ok: false, message: "This file is just over 4 GB. TikTok accepts files of up to 4 GB." });
    expect(checkChosenFile({ name: "a.mp4", size: MAX_VIDEO_BYTES, type: "video/mp4" }).ok).toBe(true);
    expect(checkChosenFile({ name: "a.mp4", size: 2 * 1024 * 1024, type: "video/mp4" }, 1024 * 1024)).toEqual({ ok: false, message: "This file is 2 MB. SocialFlow accepts files of up to 1 MB." });
  });
});

describe("canPreview (the upload form's player)", () => {
  it("only for a file the browser types as video/*, not for one accepted by its name alone", () => {
    expect(canPreview({ type: "video/mp4" })).toBe(true);
    expect(canPreview({ type: "video/webm" })).toBe(true);
    expect(canPreview({ type: "video/quicktime" })).toBe(true);
    // Accepted by the instant check (extension), but not a video as far as the browser knows.
    const renamed = { name: "notes.mp4", size: 10, type: "text/plain" };
    expect(checkChosenFile(renamed).ok).toBe(true);
    expect(canPreview(renamed)).toBe(false);
    expect(canPreview({ type: "" })).toBe(false);
    expect(canPreview({ type: "image/png" })).toBe(false);
    expect(canPreview({ type: "application/video/mp4" })).toBe(false);
  });
});
