import { z } from "zod";
import { readBoundedText } from "./read-bounded-text";

/** Longest body the authorize route reads, in bytes: a handful of scope ids. */
const MAX_BODY = 2048;

const bodySchema = z
  .object({
    /** "Grant permission": the scopes missing from the account's grant, asked for again. */
    scopes: z.array(z.string().min(1).max(200)).min(1).max(20).optional(),
  })
  .strict();

/**
 * The authorize route's optional JSON body: nothing (a plain connect), `{}`, or
 * `{ scopes: [...] }` where every scope is one the provider asks for (`allowed`). Anything else
 * is refused (null), so no outside string ever reaches an authorize URL.
 */
export async function readAuthorizeBody(request: Request, allowed: readonly string[]): Promise<{ scopes: string[] | undefined } | null> {
  const read = await readBoundedText(request, MAX_BODY);
  if (!read.ok) return null;
  const text = read.text;
  if (text.trim() === "") return { scopes: undefined };
  if (!(request.headers.get("content-type") ?? "").includes("application/json")) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = bodySchema.safeParse(json);
  if (!parsed.success) return null;
  const scopes = parsed.data.scopes;
  if (scopes && !scopes.every((scope) => allowed.includes(scope))) return null;
  return { scopes: scopes && [...new Set(scopes)] };
}
