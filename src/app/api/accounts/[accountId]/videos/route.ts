import { NextResponse } from "next/server";
import { z } from "zod";
import { idSchema } from "@/lib/http/ids";
import { requireAuth } from "@/lib/auth-helpers";
import { jsonError, NO_STORE } from "@/lib/http/route-guard";
import { getDb } from "@/lib/db";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { getTikTokServices } from "@/lib/services";
import { TikTokCallError } from "@/lib/providers/tiktok/call-errors";
import { callErrorMessage } from "@/lib/providers/tiktok/call-error-messages";
import { getLogger } from "@/lib/log/logger";

const paramsSchema = z.object({ accountId: idSchema });
const cursorSchema = z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional();

/** GET `?cursor=`: one page of the account's recent videos with stats. */
export async function GET(request: Request, context: { params: Promise<{ accountId: string }> }) {
  const { user, error } = await requireAuth(request.headers);
  if (error) return error;
  const params = paramsSchema.safeParse(await context.params);
  const cursor = cursorSchema.safeParse(new URL(request.url).searchParams.get("cursor") ?? undefined);
  if (!params.success || !cursor.success) return jsonError(400, "invalid_request", "Invalid account or cursor");
  try {
    // Ownership first: the page cache and TikTok are reached only with the owner's account.
    const account = await accountsOf(await getDb(), user.id).get(params.data.accountId);
    if (!account) return jsonError(404, "not_found", "Account not found");
    const { videos } = await getTikTokServices();
    const page = await videos.page(account, cursor.data);
    return NextResponse.json(page, { headers: NO_STORE });
  } catch (err) {
    if (err instanceof TikTokCallError) {
      const response = jsonError(err.httpStatus, err.code, callErrorMessage(err));
      if (err.details.retryAfterSec) response.headers.set("Retry-After", String(err.details.retryAfterSec));
      return response;
    }
    getLogger().error({ event: "videos.list_failed", err });
    return jsonError(500, "videos_failed", "Could not load videos");
  }
}
