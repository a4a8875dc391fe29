import { z } from "zod";
import { idSchema } from "./ids";

const bodySchema = z.object({ accountId: idSchema }).strict();

/** `{ accountId }` from a JSON body, or null when the body is anything else. */
export async function readAccountIdBody(request: Request): Promise<string | null> {
  if (!(request.headers.get("content-type") ?? "").includes("application/json")) return null;
  const text = await request.text();
  if (text.length > 1024) return null;
  try {
    const parsed = bodySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.accountId : null;
  } catch {
    return null;
  }
}
