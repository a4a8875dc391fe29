/**
 * Shown at once while a slow part of a page (one that waits for TikTok) streams in. role=status
 * announces it politely to screen readers; the spinner only turns when the user has not asked
 * for reduced motion.
 *
 * Used as a <Suspense> fallback inside pages, after their ownership check, not as a segment
 * `loading.tsx`: a loading boundary above a page makes Next stream the page's shell first, so a
 * page's notFound() (another user's account) would answer HTTP 200 instead of 404.
 */
export function LoadingState({ label = "Loading…" }: { label?: string }) {
  return (
    <div role="status" aria-live="polite" aria-busy="true" className="flex items-center gap-3 py-8 text-slate-600">
      <span aria-hidden="true" className="h-5 w-5 rounded-full border-2 border-slate-300 border-t-brand-600 motion-safe:animate-spin" />
      <span>{label}</span>
    </div>
  );
}
