import type { MediaFacts } from "@/lib/uploads/media-probe";

/** What mediainfo reports for a video TikTok takes: 1080×1920 H.264 MP4, 30 fps, 30 s. Tests vary one fact. */
export const GOOD_VIDEO_FACTS: MediaFacts = {
  format: "MPEG-4",
  formatProfile: "Base Media",
  videoFormat: "AVC",
  width: 1080,
  height: 1920,
  rotation: 0,
  frameRate: 30,
  durationSec: 30,
  fileSize: 1000,
  truncated: false,
};
