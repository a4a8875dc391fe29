import { NextResponse } from "next/server";
import { jsonError, NO_STORE } from "@/lib/http/route-guard";
import type { UploadResult } from "./upload-service";

/** One shape for every upload route answer: `{ upload }` on success, `{ error, code, upload? }` otherwise. */
export function uploadResponse(result: UploadResult): NextResponse {
  if (result.ok) return NextResponse.json({ upload: result.upload }, { status: result.status, headers: NO_STORE });
  const response = result.upload
    ? NextResponse.json({ error: result.message, code: result.code, upload: result.upload }, { status: result.status, headers: NO_STORE })
    : jsonError(result.status, result.code, result.message);
  const retryAt = result.upload?.retryAt;
  if (result.retryAfterSec !== undefined) {
    // A quota (upload-service.ts): when trying again makes sense (RFC 9110 §10.2.3).
    response.headers.set("Retry-After", String(result.retryAfterSec));
  } else if (result.status === 429 && retryAt) {
    response.headers.set("Retry-After", String(Math.max(1, Math.ceil((Date.parse(retryAt) - Date.now()) / 1000))));
  }
  return response;
}
