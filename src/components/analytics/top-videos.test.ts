import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { TopVideo } from "@/lib/analytics/types";
import { TopVideos } from "./top-videos";

const video = (videoId: string, coverUrl: string | null): TopVideo => ({
  videoId,
  title: `Video ${videoId}`,
  coverUrl,
  shareUrl: null,
  publishedAt: null,
  views: 1000,
  likes: 100,
  comments: 10,
  shares: 5,
  viewsGained: 400,
  engagementRate: 0.115,
});

describe("top videos", () => {
  it("each video has its cover beside its title (empty alt), or the placeholder when it has none", () => {
    const html = renderToStaticMarkup(createElement(TopVideos, { videos: [video("a", "https://p16.example/a.jpg"), video("b", null)], rangeDays: 30 }));
    expect(html.match(/data-testid="video-cover"/g)).toHaveLength(2);
    expect(html.match(/<img /g)).toHaveLength(1);
    expect(html).toMatch(/<img [^>]*src="https:\/\/p16.example\/a.jpg"[^>]*alt=""/);
    expect(html).toContain('width="48"');
    expect(html).toContain('loading="lazy"');
    expect(html).toContain("Video a");
    expect(html).toContain("Video b");
  });
});
