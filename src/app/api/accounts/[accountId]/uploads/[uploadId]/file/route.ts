import { z } from "zod";
import { guardMutation, jsonError } from "@/lib/http/route-guard";
import { getLogger } from "@/lib/log/logger";
import { idSchema } from "@/lib/uploads/request-schemas";
import { uploadResponse } from "@/lib/uploads/route-responses";
import { apiRoute } from "@/lib/http/api-route";
import { getUploadServices } from "@/lib/uploads/runtime";
import { ERROR_MESSAGES } from "@/lib/uploads/outcome-messages";
import { getDb } from "@/lib/db";
import { accountsOf } from "@/lib/connections/owned-accounts";

const paramsSchema = z.object({ accountId: idSchema, uploadId: idSchema });
const contentLengthSchema = z.string().regex(/^\d{1,13}$/).transform(Number).optional();

/**
 * PUT (raw body = the video): streamed to a temporary file, never held in memory; checked
 * against TikTok's rules; then handed to TikTok. 202 once TikTok's upload has started — the
 * page then follows `GET …/uploads/:uploadId`.
 */
async function receive(request: Request, context: { params: Promise<{ accountId: string; uploadId: string }> }): Promise<Response> {
  const { user, error } = await guardMutation(request);
  if (error) return error;
  const params = paramsSchema.safeParse(await context.params);
  if (!params.success) return jsonError(404, "not_found", "Upload not found");
  const length = contentLengthSchema.safeParse(request.headers.get("content-length") ?? undefined);
  if (!length.success) return jsonError(400, "invalid_request", "Invalid Content-Length");
  try {
    const account = await accountsOf(await getDb(), user.id).get(params.data.accountId);
    if (!account) return jsonError(404, "not_found", ERROR_MESSAGES.not_found!);
    const { service } = await getUploadServices();
    return uploadResponse(await service.receive(account, params.data.uploadId, request.body, length.data));
  } catch (err) {
    getLogger().error({ event: "upload.file_route_failed", err });
    return jsonError(500, "internal_error", "Could not receive the file");
  }
}

export const PUT = apiRoute(receive);
