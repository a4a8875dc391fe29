import { z } from "zod";
import { envSchema } from "@/lib/config/env-schema";
import type { HeaderPolicyInput } from "./security-headers";

const policyEnv = envSchema
  .pick({ NODE_ENV: true, NEXT_PUBLIC_APP_URL: true, TIKTOK_API_BASE_URL: true })
  // YouTube's setting is read by its provider's own loader; here only its origin matters.
  .extend({ YOUTUBE_API_BASE_URL: z.url({ protocol: /^https?$/ }).optional().catch(undefined) });

/**
 * The header policy's inputs from the running environment (read at request time, not at build
 * time: one build serves any deployment), with the same defaults as the app's configuration.
 */
export function headerPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): HeaderPolicyInput {
  const parsed = policyEnv.safeParse(env);
  const e = parsed.success ? parsed.data : policyEnv.parse({});
  return {
    appUrl: e.NEXT_PUBLIC_APP_URL,
    apiBaseUrls: [e.TIKTOK_API_BASE_URL, ...(e.YOUTUBE_API_BASE_URL ? [e.YOUTUBE_API_BASE_URL] : [])],
    development: e.NODE_ENV === "development",
  };
}
