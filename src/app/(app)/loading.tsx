/**
 * Shown at once inside the app shell while the next page of the signed-in area renders (its
 * pages wait for the database and for TikTok). role=status announces it politely to screen
 * readers; the spinner only turns when the user has not asked for reduced motion.
 */
export default function Loading() {
  return (
    <div role="status" aria-live="polite" aria-busy="true" className="flex items-center gap-3 py-8 text-slate-600">
      <span aria-hidden="true" className="h-5 w-5 rounded-full border-2 border-slate-300 border-t-brand-600 motion-safe:animate-spin" />
      <span>Loading…</span>
    </div>
  );
}
