/**
 * Reading a sandbox's HTML forms as a browser submits them. Free of Vitest, so benchmarks and
 * scripts can drive consent pages too (kit/test-helpers.ts re-exports it for the tests).
 */

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };
const unescapeHtml = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m);

/** Hidden inputs of a form, as a browser would submit them. */
export function hiddenInputs(html: string): [string, string][] {
  const out: [string, string][] = [];
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out.push([unescapeHtml(m[1] ?? ""), unescapeHtml(m[2] ?? "")]);
  return out;
}
