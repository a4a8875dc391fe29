import { NextResponse } from "next/server";
import { z } from "zod";
import { requireAuth } from "@/lib/auth-helpers";
import { jsonError, NO_STORE } from "@/lib/http/route-guard";
import { idSchema } from "@/lib/uploads/request-schemas";
import { getUploadServices } from "@/lib/uploads/runtime";
import { getDb } from "@/lib/db";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { apiRoute } from "@/lib/http/api-route";

const paramsSchema = z.object({ accountId: idSchema, uploadId: idSchema });

/** GET: one upload's progress (bytes sent to TikTok / total) and outcome — the page polls this. */
async function uploadStatus(request: Request, context: { params: Promise<{ accountId: string; uploadId: string }> }) {
  const { user, error } = await requireAuth(request.headers);
  if (error) return error;
  const params = paramsSchema.safeParse(await context.params);
  if (!params.success) return jsonError(404, "not_found", "Upload not found");
  const account = await accountsOf(await getDb(), user.id).get(params.data.accountId);
  if (!account) return jsonError(404, "not_found", "Upload not found");
  const { service } = await getUploadServices();
  const upload = await service.get(account, params.data.uploadId);
  if (!upload) return jsonError(404, "not_found", "Upload not found");
  return NextResponse.json({ upload }, { headers: NO_STORE });
}

export const GET = apiRoute(uploadStatus);
