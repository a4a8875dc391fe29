import { NextResponse } from "next/server";
import { z } from "zod";
import { idSchema } from "@/lib/http/ids";
import { requireAuth } from "@/lib/auth-helpers";
import { jsonError, NO_STORE } from "@/lib/http/route-guard";
import { getDb } from "@/lib/db";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { CURSOR_PATTERN, ProviderCallError } from "@/lib/connections/recent-videos";
import { getAppServices } from "@/lib/services";
import { getLogger } from "@/lib/log/logger";
import { apiRoute } from "@/lib/http/api-route";

const paramsSchema = z.object({ accountId: idSchema });
/** Opaque to this route: each network reads its own (TikTok a number, YouTube a page token). */
const cursorSchema = z.string().regex(CURSOR_PATTERN).optional();

/** GET `?cursor=`: one page of the account's recent videos with stats, whatever its network. */
async function listVideos(request: Request, context: { params: Promise<{ accountId: string }> }) {
  const { user, error } = await requireAuth(request.headers);
  if (error) return error;
  const params = paramsSchema.safeParse(await context.params);
  const cursor = cursorSchema.safeParse(new URL(request.url).searchParams.get("cursor") ?? undefined);
  if (!params.success || !cursor.success) return jsonError(400, "invalid_request", "Invalid account or cursor");
  try {
    // Ownership first: the page cache and the provider are reached only with the owner's account.
    const account = await accountsOf(await getDb(), user.id).get(params.data.accountId);
    if (!account) return jsonError(404, "not_found", "Account not found");
    const source = (await getAppServices()).recentVideos.get(account.row.platform);
    if (!source) return jsonError(404, "not_supported", "This network's videos are not listed here");
    const page = await source.page(account, cursor.data);
    return NextResponse.json(page, { headers: NO_STORE });
  } catch (err) {
    if (err instanceof ProviderCallError) {
      const response = jsonError(err.httpStatus, err.code, err.userMessage);
      if (err.retryAfterSec) response.headers.set("Retry-After", String(err.retryAfterSec));
      return response;
    }
    getLogger().error({ event: "videos.list_failed", err });
    return jsonError(500, "videos_failed", "Could not load videos");
  }
}

export const GET = apiRoute(listVideos);
