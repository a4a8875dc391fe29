/**
 * Keeps a post-sign-in destination inside the app (SECURITY.md S39): only a plain absolute
 * path on this origin; anything that a browser could read as another origin falls back.
 */
export function safeReturnPath(value: string | null | undefined, fallback = "/"): string {
  if (!value || value.length > 512) return fallback;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  // Control characters and backslashes are normalised by browsers into surprising URLs.
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return fallback;
  try {
    const parsed = new URL(value, "http://app.invalid");
    if (parsed.origin !== "http://app.invalid") return fallback;
    return parsed.pathname + parsed.search + parsed.hash;
  } catch {
    return fallback;
  }
}
