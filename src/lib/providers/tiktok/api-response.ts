import { z } from "zod";
import { ProviderRequestError } from "@/lib/connections/errors";
import type { ProviderResponse } from "@/lib/connections/provider-http";
import { knownTikTokErrorCode, TikTokApiError } from "./api-errors";

const envelopeSchema = z.object({
  data: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string().optional(), log_id: z.string().optional() }),
});

/**
 * Reads TikTok's wrapped data-plane response `{data, error:{code,message,log_id}}`
 * (https://developers.tiktok.com/doc/tiktok-api-v2-video-list): `error.code` other than "ok" is a failure whatever the HTTP status,
 * and `data` is validated against the endpoint's schema.
 */
export function parseTikTokEnvelope<T>(response: ProviderResponse, dataSchema: z.ZodType<T>): T {
  const envelope = envelopeSchema.safeParse(response.json);
  if (!envelope.success) {
    throw new ProviderRequestError(response.status >= 500 || response.status === 429 ? "http_status" : "malformed_response", response.status);
  }
  if (envelope.data.error.code !== "ok") {
    throw new TikTokApiError(knownTikTokErrorCode(envelope.data.error.code), response.status);
  }
  const data = dataSchema.safeParse(envelope.data.data);
  if (!data.success) throw new ProviderRequestError("malformed_response", response.status);
  return data.data;
}
