import { NextResponse } from "next/server";
import { z } from "zod";
import { requireAuth } from "@/lib/auth-helpers";
import { guardMutation, jsonError, NO_STORE } from "@/lib/http/route-guard";
import { getLogger } from "@/lib/log/logger";
import { idSchema, startUploadSchema } from "@/lib/uploads/request-schemas";
import { uploadResponse } from "@/lib/uploads/route-responses";
import { ERROR_MESSAGES } from "@/lib/uploads/outcome-messages";
import { getUploadServices } from "@/lib/uploads/runtime";
import { getDb } from "@/lib/db";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { apiRoute } from "@/lib/http/api-route";
import { readBoundedText } from "@/lib/http/read-bounded-text";

const paramsSchema = z.object({ accountId: idSchema });
type Context = { params: Promise<{ accountId: string }> };

/** Longest upload announcement read, in bytes: `{ mode, size, type?, post? }` is far shorter. */
const MAX_START_BODY_BYTES = 16_384;

/** GET: the account's recent uploads and their outcome. */
async function listUploads(request: Request, context: Context) {
  const { user, error } = await requireAuth(request.headers);
  if (error) return error;
  const params = paramsSchema.safeParse(await context.params);
  if (!params.success) return jsonError(404, "not_found", "Account not found");
  const account = await accountsOf(await getDb(), user.id).get(params.data.accountId);
  if (!account) return jsonError(404, "not_found", "Account not found");
  const { service } = await getUploadServices();
  return NextResponse.json({ uploads: await service.list(account) }, { headers: NO_STORE });
}

/**
 * POST `{ mode, size, type?, post? }`: announces a video before its bytes, so that what can be
 * refused early (scopes, size, privacy level) is refused before the file is sent.
 */
async function createUpload(request: Request, context: Context) {
  const { user, error } = await guardMutation(request);
  if (error) return error;
  const params = paramsSchema.safeParse(await context.params);
  if (!params.success) return jsonError(404, "not_found", "Account not found");
  if (!(request.headers.get("content-type") ?? "").includes("application/json")) return jsonError(415, "invalid_request", "JSON body required");
  // Read only up to the limit: an oversized or endless (chunked) body is cut off there, never
  // buffered whole first; the limit counts bytes as they arrive, not decoded characters.
  const read = await readBoundedText(request, MAX_START_BODY_BYTES);
  if (!read.ok) return jsonError(413, "invalid_request", "Request body too large");
  let input;
  try {
    input = startUploadSchema.safeParse(JSON.parse(read.text));
  } catch {
    return jsonError(400, "invalid_request", "Body is not valid JSON");
  }
  if (!input.success) return jsonError(400, "invalid_request", "Invalid upload request");
  try {
    const account = await accountsOf(await getDb(), user.id).get(params.data.accountId);
    if (!account) return jsonError(404, "not_found", ERROR_MESSAGES.not_found!);
    const { service } = await getUploadServices();
    return uploadResponse(await service.start(account, input.data));
  } catch (err) {
    getLogger().error({ event: "upload.start_route_failed", err });
    return jsonError(500, "internal_error", "Could not start the upload");
  }
}

export const GET = apiRoute(listUploads);
export const POST = apiRoute(createUpload);
