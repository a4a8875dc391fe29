import { z } from "zod";
import { envSchema } from "@/lib/config/env-schema";
import { isOAuthPath, OAUTH_PATH_PREFIX, securityHeaders, type HeaderPolicyInput } from "./security-headers";

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

// The headers depend only on the policy's variables and on whether the path is OAuth's
// (securityHeaders): built once per combination, not per request.
let built: { key: string; oauth: Record<string, string>; other: Record<string, string> } | undefined;

/**
 * The security headers for an answer to `pathname` under the running environment: what
 * `src/proxy.ts` (pages) and `apiRoute` (the API) put on every response. The environment is read
 * at request time, so one build serves any deployment and a changed environment gets new headers.
 */
export function securityHeadersFromEnv(pathname: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const key = [env.NODE_ENV, env.NEXT_PUBLIC_APP_URL, env.TIKTOK_API_BASE_URL, env.YOUTUBE_API_BASE_URL].join("\n");
  if (built?.key !== key) {
    const policy = headerPolicyFromEnv(env);
    built = { key, oauth: securityHeaders(OAUTH_PATH_PREFIX, policy), other: securityHeaders("/", policy) };
  }
  return isOAuthPath(pathname) ? built.oauth : built.other;
}
