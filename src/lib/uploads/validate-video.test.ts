import path from "node:path";
import { describe, expect, it } from "vitest";
import { validateVideo } from "./validate-video";
import { factsFrom } from "./media-probe";
import { checkVideo, formatBytes, formatDuration, type VideoCheck } from "./video-rules";
import { MAX_VIDEO_BYTES } from "./chunk-plan";
import { GOOD_VIDEO_FACTS } from "../../../tests/helpers/media-facts";

const fixture = (name: string) => path.join(process.cwd(), "tests", "fixtures", name);
const codes = (check: VideoCheck) => (check.ok ? [] : check.problems.map((p) => p.code));
const warningCodes = (check: VideoCheck) => check.warnings.map((w) => w.code);

describe("validateVideo on the committed fixtures (mediainfo.js, chunked reads)", () => {
  it("accepts the portrait MP4 and says what to send it as", async () => {
    const check = await validateVideo(fixture("valid-portrait.mp4"));
    expect(check).toEqual({ ok: true, container: "MP4", contentType: "video/mp4", durationSec: 4, width: 540, height: 960, warnings: [] });
  });

  it("accepts the VP9 WEBM", async () => {
    expect(await validateVideo(fixture("valid.webm"))).toMatchObject({ ok: true, container: "WEBM", contentType: "video/webm", width: 540, height: 960 });
  });

  it("accepts the MOV and sends it as video/quicktime", async () => {
    expect(await validateVideo(fixture("valid.mov"))).toMatchObject({ ok: true, container: "MOV", contentType: "video/quicktime", width: 720, height: 1280 });
  });

  it("refuses the 1 s video: under 3 s, with the rule", async () => {
    const check = await validateVideo(fixture("too-short-1s.mp4"));
    expect(codes(check)).toEqual(["too_short"]);
    expect(check.ok ? "" : check.problems[0]!.message).toBe("The video is 1 second long. TikTok needs at least 3 seconds.");
  });

  it("refuses 320×240: a side under 360 px", async () => {
    const check = await validateVideo(fixture("too-small-320x240.mp4"));
    expect(codes(check)).toEqual(["dimensions"]);
    expect(check.ok ? "" : check.problems[0]!.message).toBe(
      "The video is 320 × 240 pixels. TikTok needs each side to be between 360 and 4096 pixels.",
    );
  });

  it("accepts 360×640 with a warning (under the recommended 540×960), not a refusal", async () => {
    const check = await validateVideo(fixture("low-res-360x640.mp4"));
    expect(check.ok).toBe(true);
    expect(check.warnings).toEqual([
      { code: "low_resolution", message: "The video is 360 × 640 pixels. It can be posted, but 540 × 960 (portrait) or more looks sharper on TikTok." },
    ]);
  });

  it("refuses 15 fps", async () => {
    const check = await validateVideo(fixture("low-fps-15.mp4"));
    expect(codes(check)).toEqual(["frame_rate"]);
    expect(check.ok ? "" : check.problems[0]!.message).toBe("The video runs at 15 frames per second. TikTok accepts 23 to 60 frames per second.");
  });

  it("goes by the content, not the name: an MP4 named .webm is sent as MP4, with a warning", async () => {
    const check = await validateVideo(fixture("mp4-named.webm"), { claimedType: "video/webm" });
    expect(check).toMatchObject({ ok: true, container: "MP4", contentType: "video/mp4" });
    expect(check.warnings).toEqual([
      { code: "type_mismatch", message: "The file's name says WEBM, but its content is MP4. It will be sent to TikTok as MP4." },
    ]);
  });

  it("refuses a text file named .mp4 as not a video", async () => {
    const check = await validateVideo(fixture("not-a-video.mp4"), { claimedType: "video/mp4" });
    expect(codes(check)).toEqual(["not_a_video"]);
    expect(check.ok ? "" : check.problems[0]!.message).toMatch(/not a video .* MP4 \(recommended\), MOV or WEBM .* H\.264, H\.265, VP8 or VP9/);
  });

  it("refuses the truncated MP4 although its header still reports 4 s at 540×960 (IsTruncated)", async () => {
    const check = await validateVideo(fixture("truncated.mp4"));
    expect(codes(check)).toEqual(["truncated"]);
  });

  it("applies the creator's max_video_post_duration_sec", async () => {
    const check = await validateVideo(fixture("valid-portrait.mp4"), { maxDurationSec: 3 });
    expect(codes(check)).toEqual(["too_long"]);
    expect(check.ok ? "" : check.problems[0]!.message).toBe("The video is 4 seconds long. TikTok lets this account post videos of up to 3 seconds.");
  });

  it("several analyses at once are serialised on one mediainfo instance and all answer", async () => {
    const names = ["valid-portrait.mp4", "valid.webm", "valid.mov", "too-short-1s.mp4", "truncated.mp4"];
    const results = await Promise.all(names.map((n) => validateVideo(fixture(n))));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false, false]);
  });
});

const good = GOOD_VIDEO_FACTS;

describe("checkVideo: TikTok's rules at their boundaries", () => {
  it("duration: 3 s and 600 s pass; 2.9 s and 600.1 s do not; the creator's limit wins when lower", () => {
    expect(checkVideo({ ...good, durationSec: 3 }, 1000).ok).toBe(true);
    expect(checkVideo({ ...good, durationSec: 2.997 }, 1000).ok).toBe(true);
    expect(codes(checkVideo({ ...good, durationSec: 2.9 }, 1000))).toEqual(["too_short"]);
    expect(checkVideo({ ...good, durationSec: 600 }, 1000).ok).toBe(true);
    const long = checkVideo({ ...good, durationSec: 605 }, 1000);
    expect(long.ok ? "" : long.problems[0]!.message).toBe("The video is 10 min 5 s long. TikTok accepts videos of up to 10 minutes.");
    const creator = checkVideo({ ...good, durationSec: 200 }, 1000, { maxDurationSec: 180 });
    expect(creator.ok ? "" : creator.problems[0]!.message).toBe("The video is 3 min 20 s long. TikTok lets this account post videos of up to 3 minutes.");
    // A creator limit above TikTok's 10 minutes does not lift it.
    expect(codes(checkVideo({ ...good, durationSec: 700 }, 1000, { maxDurationSec: 3600 }))).toEqual(["too_long"]);
  });

  it("frame rate: 23 and 60 pass, 23.976 passes, 22.9 and 60.1 do not", () => {
    for (const fps of [23, 23.976, 29.97, 60]) expect(checkVideo({ ...good, frameRate: fps }, 1000).ok).toBe(true);
    for (const fps of [22.9, 60.1, 120]) expect(codes(checkVideo({ ...good, frameRate: fps }, 1000))).toEqual(["frame_rate"]);
    // Variable frame rate without a reading is left to TikTok rather than refused.
    expect(checkVideo({ ...good, frameRate: null }, 1000).ok).toBe(true);
  });

  it("sides: 360 and 4096 pass, 359 and 4097 do not", () => {
    expect(checkVideo({ ...good, width: 360, height: 4096 }, 1000).ok).toBe(true);
    expect(codes(checkVideo({ ...good, width: 359, height: 960 }, 1000))).toEqual(["dimensions"]);
    expect(codes(checkVideo({ ...good, width: 1080, height: 4097 }, 1000))).toEqual(["dimensions"]);
  });

  it("size: 4 GB passes, one byte more does not", () => {
    expect(checkVideo(good, MAX_VIDEO_BYTES).ok).toBe(true);
    const big = checkVideo(good, MAX_VIDEO_BYTES + 1);
    expect(codes(big)).toEqual(["file_too_large"]);
    expect(big.ok ? "" : big.problems[0]!.message).toBe("The file is just over 4 GB. TikTok accepts files of up to 4 GB.");
  });

  it("containers and codecs: MOV, WEBM, H.265, VP8 pass; MKV, AVI, AV1 are refused with what is allowed", () => {
    expect(checkVideo({ ...good, formatProfile: "QuickTime" }, 1000)).toMatchObject({ ok: true, contentType: "video/quicktime" });
    expect(checkVideo({ ...good, format: "WebM", videoFormat: "VP8" }, 1000)).toMatchObject({ ok: true, contentType: "video/webm" });
    expect(checkVideo({ ...good, videoFormat: "HEVC" }, 1000).ok).toBe(true);
    const mkv = checkVideo({ ...good, format: "Matroska" }, 1000);
    expect(mkv.ok ? [] : mkv.problems).toEqual([
      { code: "unsupported_container", message: "The file is in MKV format. TikTok accepts MP4 (recommended), MOV or WEBM files." },
    ]);
    expect(codes(checkVideo({ ...good, format: "AVI" }, 1000))).toEqual(["unsupported_container"]);
    const av1 = checkVideo({ ...good, videoFormat: "AV1" }, 1000);
    expect(av1.ok ? "" : av1.problems[0]!.message).toBe("The video is encoded with AV1. TikTok accepts H.264, H.265, VP8 or VP9.");
    // A label mediainfo made up from the file is never repeated back.
    const odd = checkVideo({ ...good, format: "<script>", videoFormat: "<b>x</b>" }, 1000);
    expect(JSON.stringify(odd)).not.toMatch(/script|<b>/);
  });

  it("reports every problem at once", () => {
    const check = checkVideo({ ...good, durationSec: 1, frameRate: 10, width: 200, height: 200 }, 1000);
    expect(codes(check)).toEqual(["too_short", "frame_rate", "dimensions"]);
  });

  it("warns for landscape and for low resolution after rotation; a rotated phone video is portrait", () => {
    expect(warningCodes(checkVideo({ ...good, width: 1920, height: 1080 }, 1000))).toEqual(["landscape"]);
    expect(warningCodes(checkVideo({ ...good, width: 1920, height: 1080, rotation: 90 }, 1000))).toEqual([]);
    expect(warningCodes(checkVideo({ ...good, width: 640, height: 360 }, 1000))).toEqual(["low_resolution", "landscape"]);
  });

  it("refuses a file whose size or length cannot be read", () => {
    expect(codes(checkVideo({ ...good, durationSec: null }, 1000))).toEqual(["unreadable"]);
  });
});

describe("factsFrom: mediainfo's result read defensively", () => {
  it("reads FileSize given as a string and IsTruncated inside extra", () => {
    const facts = factsFrom({
      media: {
        track: [
          { "@type": "General", Format: "MPEG-4", FileSize: "233967", Duration: 4, extra: { IsTruncated: "Yes" } },
          { "@type": "Video", Format: "AVC", Width: 540, Height: "960", FrameRate: "29.970", Rotation: "90.000" },
        ],
      },
    });
    expect(facts).toMatchObject({ fileSize: 233967, truncated: true, height: 960, frameRate: 29.97, rotation: 90 });
  });

  it("an empty or odd result is 'nothing recognised', not a crash", () => {
    expect(factsFrom({ media: null })).toMatchObject({ format: null, videoFormat: null });
    expect(factsFrom({ media: { track: [{ "@type": "General", FileSize: "34" }] } })).toMatchObject({ format: null, fileSize: 34 });
  });
});

describe("message formatting", () => {
  it("durations and sizes", () => {
    expect(formatDuration(1)).toBe("1 second");
    expect(formatDuration(2.46)).toBe("2.5 seconds");
    expect(formatDuration(180)).toBe("3 minutes");
    expect(formatDuration(605)).toBe("10 min 5 s");
    expect(formatBytes(5 * 1024 * 1024 * 1024)).toBe("5 GB");
    expect(formatBytes(1536)).toBe("1.5 KB");
  });
});
