import { getConfig } from "@/lib/config/config";
import { getTikTokServices } from "@/lib/tiktok/services";
import { VideoService } from "./video-service";

const holder = globalThis as unknown as { __socialflowVideos?: Promise<VideoService> };

export function getVideoService(): Promise<VideoService> {
  holder.__socialflowVideos ??= getTikTokServices().then(({ api }) => new VideoService(api, getConfig().tiktok.apiBaseUrl));
  return holder.__socialflowVideos;
}
