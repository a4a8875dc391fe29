"use client";
import { useState } from "react";
import type { VideoPageView } from "@/lib/connections/recent-videos";
import type { VideoView } from "@/lib/connections/video-view";
import { VideoCover } from "./video-cover";

const numberFormat = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

/** The first page comes from the server; "Load more" follows the network's opaque cursor. */
export function VideoGrid({ accountId, initial, networkName }: { accountId: string; initial: VideoPageView; networkName: string }) {
  const [videos, setVideos] = useState<VideoView[]>(initial.videos);
  const [cursor, setCursor] = useState<string | null>(initial.nextCursor);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function loadMore() {
    if (cursor === null) return;
    setPending(true);
    setError(null);
    try {
      const response = await fetch(`/api/accounts/${encodeURIComponent(accountId)}/videos?cursor=${encodeURIComponent(cursor)}`);
      const json = (await response.json()) as VideoPageView & { error?: string };
      if (!response.ok) {
        setError(json.error ?? "Could not load more videos.");
        return;
      }
      setVideos((current) => [...current, ...json.videos.filter((v) => !current.some((c) => c.id === v.id))]);
      setCursor(json.nextCursor);
    } catch {
      setError("You appear to be offline. Check your connection and try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <div>
      <ul aria-label="Recent videos" className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {videos.map((video) => (
          <li key={video.id} className="overflow-hidden rounded-2xl border border-slate-200 bg-white shadow-sm">
            <div className="relative aspect-[9/16] max-h-72 w-full bg-slate-200">
              <VideoCover src={video.coverUrl} width={270} height={480} className="h-full w-full" />
              {video.durationSec !== null && (
                <span className="absolute bottom-2 right-2 rounded bg-black/70 px-1.5 py-0.5 text-xs text-white">{formatDuration(video.durationSec)}</span>
              )}
            </div>
            <div className="p-4">
              <h3 className="line-clamp-2 font-medium" title={video.title}>
                {video.title}
              </h3>
              {video.createdAt && (
                <p className="mt-1 text-xs text-slate-500">
                  <time dateTime={video.createdAt}>{new Date(video.createdAt).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })}</time>
                </p>
              )}
              <dl className="mt-3 grid grid-cols-4 gap-1 text-center text-xs">
                <Stat label="Views" value={video.views} />
                <Stat label="Likes" value={video.likes} />
                <Stat label="Comments" value={video.comments} />
                <Stat label="Shares" value={video.shares} />
              </dl>
              {video.shareUrl && (
                <a href={video.shareUrl} target="_blank" rel="noopener noreferrer" className="mt-3 inline-block text-sm font-medium text-brand-600 hover:underline">
                  Open on {networkName}
                </a>
              )}
            </div>
          </li>
        ))}
      </ul>
      <div className="mt-6 flex flex-col items-center gap-2">
        {cursor !== null && (
          <button type="button" onClick={loadMore} disabled={pending} className="rounded-lg border border-slate-300 bg-white px-4 py-2 font-medium hover:bg-slate-100 disabled:opacity-60">
            {pending ? "Loading…" : "Load more"}
          </button>
        )}
        {cursor === null && videos.length > 0 && <p className="text-sm text-slate-500">That’s all of this account’s videos.</p>}
        {error && (
          <p role="alert" className="text-sm text-red-700">
            {error}
          </p>
        )}
      </div>
    </div>
  );
}

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div className="rounded-lg bg-slate-50 py-1.5">
      <dt className="text-slate-500">{label}</dt>
      <dd className="font-semibold" title={value.toLocaleString("en")}>
        {numberFormat.format(value)}
      </dd>
    </div>
  );
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
