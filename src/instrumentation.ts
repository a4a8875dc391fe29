/**
 * Runs once when a server instance starts (Next.js instrumentation hook). Validates the
 * configuration so that a production instance without its secrets stops at start-up, not at
 * the first request, and opens (and migrates) the database.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // `next build` also loads this module; start-up work belongs to the running server only.
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const { startServerRuntime } = await import("./lib/server-runtime");
  await startServerRuntime();
}
