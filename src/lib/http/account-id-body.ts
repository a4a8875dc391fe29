import { z } from "zod";
import { idSchema } from "./ids";
import { readBoundedText } from "./read-bounded-text";

/** Longest body read, in bytes: `{ "accountId": … }` is far shorter. */
const MAX_BODY = 1024;

const bodySchema = z.object({ accountId: idSchema }).strict();

/** `{ accountId }` from a JSON body, or null when the body is anything else. */
export async function readAccountIdBody(request: Request): Promise<string | null> {
  if (!(request.headers.get("content-type") ?? "").includes("application/json")) return null;
  const read = await readBoundedText(request, MAX_BODY);
  if (!read.ok) return null;
  try {
    const parsed = bodySchema.safeParse(JSON.parse(read.text));
    return parsed.success ? parsed.data.accountId : null;
  } catch {
    return null;
  }
}
