"use client";

/**
 * A video's cover, or a neutral placeholder: the grey box is always there and the image sits on
 * top of it, so a missing cover (null) or one that fails to load (a signed TikTok CDN URL that
 * expired, a host that does not answer) leaves the placeholder instead of a broken-image icon.
 * `alt=""` because the video's title is always shown next to it (WAI images tutorial: decorative
 * images); `width`/`height` reserve the space before it loads; `loading="lazy"` leaves covers
 * below the fold unfetched. The one cover component: the video list and the top videos both use it.
 */
export function VideoCover({ src, width, height, className = "" }: { src: string | null; width: number; height: number; className?: string }) {
  return (
    <div data-testid="video-cover" className={`relative shrink-0 overflow-hidden bg-slate-200 ${className}`}>
      <svg aria-hidden="true" viewBox="0 0 24 24" className="absolute left-1/2 top-1/2 h-6 w-6 -translate-x-1/2 -translate-y-1/2 text-slate-400">
        <path fill="currentColor" d="M8 5v14l11-7z" />
      </svg>
      {src && (
        // eslint-disable-next-line @next/next/no-img-element -- provider CDN URLs (TikTok's are signed and short-lived); no optimiser proxy
        <img
          src={src}
          alt=""
          width={width}
          height={height}
          loading="lazy"
          referrerPolicy="no-referrer"
          onError={(event) => hideCover(event.currentTarget)}
          ref={hideIfAlreadyBroken}
          className="relative h-full w-full object-cover"
        />
      )}
    </div>
  );
}

type CoverImage = Pick<HTMLImageElement, "complete" | "naturalWidth" | "hidden">;

/** The image failed: hide it so the placeholder under it shows. */
export function hideCover(img: CoverImage): void {
  img.hidden = true;
}

/**
 * An image that failed before React hydrated the page never fires `onError` for it (the event
 * came first), so the ref looks once: loaded (`complete`) with no pixels means broken. A lazy
 * image not fetched yet is not `complete`, and later failures reach `onError`.
 */
export function hideIfAlreadyBroken(img: CoverImage | null): void {
  if (img && img.complete && img.naturalWidth === 0) hideCover(img);
}
