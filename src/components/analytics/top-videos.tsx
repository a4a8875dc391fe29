import type { TopVideo } from "@/lib/analytics/types";
import { VideoCover } from "@/components/videos/video-cover";
import { formatCount, formatExact, formatRate } from "@/lib/analytics-view/format";

/** The period's best videos by views gained, as a list with their covers (readable by everyone, no chart needed). */
export function TopVideos({ videos, rangeDays }: { videos: TopVideo[]; rangeDays: number }) {
  return (
    <section aria-labelledby="top-videos-heading" className="mt-8 min-w-0 rounded-2xl border border-slate-200 bg-white p-4">
      <h2 id="top-videos-heading" className="text-lg font-semibold">
        Top videos of the last {rangeDays} days
      </h2>
      {videos.length === 0 ? (
        <p className="mt-3 text-sm text-slate-600">No video stats recorded in this period yet.</p>
      ) : (
        <ol className="mt-3 divide-y divide-slate-100" data-testid="top-videos">
          {videos.map((video, i) => (
            <li key={video.videoId} className="flex min-w-0 gap-3 py-3">
              <span aria-hidden="true" className="w-5 shrink-0 pt-0.5 text-right text-sm text-slate-500">
                {i + 1}
              </span>
              <VideoCover src={video.coverUrl} width={48} height={64} className="h-16 w-12 rounded-md" />
              <div className="min-w-0 flex-1">
                <p className="font-medium break-words">
                  {video.shareUrl ? (
                    <a href={video.shareUrl} target="_blank" rel="noopener noreferrer" className="text-brand-600 hover:underline">
                      {video.title || "Untitled video"}
                    </a>
                  ) : (
                    video.title || "Untitled video"
                  )}
                </p>
                <p className="mt-0.5 flex flex-wrap gap-x-3 text-sm text-slate-600 tabular-nums">
                  <span title={formatExact(video.viewsGained)}>+{formatCount(video.viewsGained)} views in period</span>
                  <span title={formatExact(video.views)}>{formatCount(video.views)} views</span>
                  <span>{formatRate(video.engagementRate)} engagement</span>
                </p>
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
