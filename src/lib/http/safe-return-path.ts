/**
 * Keeps a post-sign-in destination inside the app (docs/security.md S39, S45): only a plain
 * absolute path on this origin; anything that a browser could read as another origin falls back.
 *
 * The value RETURNED is what gets checked. Parsing normalises the path (RFC 3986 §5.2.4 dot
 * segments, which the WHATWG URL parser also recognises percent-encoded as `%2e`), so an input
 * that looks harmless — `/..//evil.example/`, `/a/..//evil.example/`, `/%2e%2e//evil.example/` —
 * comes out as `//evil.example/`, a network-path reference (RFC 3986 §4.2) to another host.
 * The input and the output both pass the same test; the output is a fixed point of parsing.
 */
const BASE = "http://app.invalid";

export function safeReturnPath(value: string | null | undefined, fallback = "/"): string {
  if (!value || value.length > 512 || !isPlainAppPath(value)) return fallback;
  let normalised: string;
  try {
    const parsed = new URL(value, BASE);
    if (parsed.origin !== BASE) return fallback;
    normalised = parsed.pathname + parsed.search + parsed.hash;
  } catch {
    return fallback;
  }
  return isPlainAppPath(normalised) && new URL(normalised, BASE).origin === BASE ? normalised : fallback;
}

/** One leading slash, then no second slash or backslash, and no control characters anywhere. */
function isPlainAppPath(path: string): boolean {
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return false;
  // Control characters and backslashes are normalised by browsers into surprising URLs.
  return !/[\\\u0000-\u001f\u007f]/.test(path);
}
