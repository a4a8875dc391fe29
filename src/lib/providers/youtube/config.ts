import { z } from "zod";
import { ownValue } from "@/lib/own-key";

/**
 * YouTube's provider configuration, read from the environment. Google's endpoints are those of
 * "OAuth 2.0 for Web Server Applications"
 * (https://developers.google.com/identity/protocols/oauth2/web-server); every one can be pointed
 * elsewhere (the local Google sandbox, or any RFC 6749 server in tests).
 */
export interface YouTubeConfig {
  clientId: string;
  clientSecret: string;
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  /** Origin of the YouTube Data API (paths `/youtube/v3/…` are appended). */
  apiBaseUrl: string;
  /** Full scope URLs (or `openid`), in the order asked for. */
  scopes: string[];
  /** True when the local Google sandbox stands in for Google (a badge in the UI). */
  sandbox: boolean;
  redirectUri: string;
}

export const GOOGLE_SCOPE_PREFIX = "https://www.googleapis.com/auth/";
export const YOUTUBE_READONLY = `${GOOGLE_SCOPE_PREFIX}youtube.readonly`;
/**
 * The scopes any of which lets SocialFlow read a channel and its videos: every read method
 * SocialFlow calls (channels.list, playlistItems.list, videos.list) accepts youtube.readonly and
 * the broader youtube, youtube.force-ssl and youtubepartner (each method's "Authorization"
 * section, https://developers.google.com/youtube/v3/docs/videos/list#auth).
 */
export const YOUTUBE_READ_SCOPES = [YOUTUBE_READONLY, `${GOOGLE_SCOPE_PREFIX}youtube`, `${GOOGLE_SCOPE_PREFIX}youtube.force-ssl`, `${GOOGLE_SCOPE_PREFIX}youtubepartner`] as const;
/** channels.list and videos.list statistics need only read access (YouTube Data API: channels.list). */
export const YOUTUBE_ACCOUNT_STATS_SCOPES = YOUTUBE_READ_SCOPES;
export const YOUTUBE_UPLOAD = `${GOOGLE_SCOPE_PREFIX}youtube.upload`;
export const DEFAULT_YOUTUBE_SCOPES = [YOUTUBE_READONLY, YOUTUBE_UPLOAD] as const;

/** The one scope Google names without a URL, in requests and in its token answers. */
const BARE_SCOPES: ReadonlySet<string> = new Set(["openid"]);
/**
 * `email` and `profile` are short for URLs (https://developers.google.com/identity/protocols/oauth2/scopes#oauth2):
 * Google's token answer lists only the URLs, so SocialFlow asks by URL too, and a granted one is
 * never taken for missing.
 */
const SIGN_IN_SHORT_NAMES: Readonly<Record<string, string>> = { email: `${GOOGLE_SCOPE_PREFIX}userinfo.email`, profile: `${GOOGLE_SCOPE_PREFIX}userinfo.profile` };

export class YouTubeConfigError extends Error {
  override readonly name = "YouTubeConfigError";
}

const url = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v && v.trim() ? v.trim().replace(/\/+$/, "") : fallback))
    .pipe(z.url({ protocol: /^https?$/ }));

const onOff = z
  .enum(["on", "off", "true", "false", "1", "0"])
  .optional()
  .transform((v) => v === "on" || v === "true" || v === "1");

/**
 * `youtube.readonly youtube.upload`, comma- or space-separated; a short YouTube name is expanded
 * to its URL, and so are `email` and `profile` (Google answers with their URLs); only `openid` stays short.
 */
export function parseYouTubeScopes(value: string): string[] {
  const scopes: string[] = [];
  for (const part of value.split(/[\s,]+/).filter(Boolean)) {
    const full = BARE_SCOPES.has(part) || part.startsWith(GOOGLE_SCOPE_PREFIX) ? part : (ownValue(SIGN_IN_SHORT_NAMES, part) ?? `${GOOGLE_SCOPE_PREFIX}${part}`);
    if (!/^[A-Za-z0-9._:/-]{1,200}$/.test(full)) throw new YouTubeConfigError("Invalid configuration: YOUTUBE_SCOPES");
    if (!scopes.includes(full)) scopes.push(full);
  }
  if (scopes.length === 0) throw new YouTubeConfigError("Invalid configuration: YOUTUBE_SCOPES");
  return scopes;
}

const envSchema = z.object({
  GOOGLE_CLIENT_ID: z
    .string()
    .optional()
    .transform((v) => v?.trim() || undefined),
  GOOGLE_CLIENT_SECRET: z
    .string()
    .optional()
    .transform((v) => v?.trim() || undefined),
  GOOGLE_AUTH_URL: url("https://accounts.google.com/o/oauth2/v2/auth"),
  GOOGLE_TOKEN_URL: url("https://oauth2.googleapis.com/token"),
  GOOGLE_REVOKE_URL: url("https://oauth2.googleapis.com/revoke"),
  YOUTUBE_API_BASE_URL: url("https://www.googleapis.com"),
  YOUTUBE_SCOPES: z
    .string()
    .optional()
    .transform((v) => (v && v.trim() ? parseYouTubeScopes(v) : [...DEFAULT_YOUTUBE_SCOPES])),
  GOOGLE_SANDBOX: onOff,
});

/**
 * The YouTube configuration, or undefined when GOOGLE_CLIENT_ID is unset: YouTube is then
 * simply not offered. A client id without its secret is a mistake, not a choice: Google's web
 * clients authenticate at the token endpoint even with PKCE. Errors name the variable, never
 * its value.
 */
export function loadYouTubeConfig(env: Record<string, string | undefined>, appUrl: string): YouTubeConfig | undefined {
  let e: z.infer<typeof envSchema>;
  try {
    e = envSchema.parse(env);
  } catch (error) {
    if (error instanceof YouTubeConfigError) throw error;
    const names = error instanceof z.ZodError ? [...new Set(error.issues.map((i) => String(i.path[0])))].join(", ") : "unknown";
    throw new YouTubeConfigError(`Invalid configuration: ${names}`);
  }
  if (!e.GOOGLE_CLIENT_ID) return undefined;
  if (!e.GOOGLE_CLIENT_SECRET) throw new YouTubeConfigError("Invalid configuration: GOOGLE_CLIENT_SECRET is required with GOOGLE_CLIENT_ID");
  return {
    clientId: e.GOOGLE_CLIENT_ID,
    clientSecret: e.GOOGLE_CLIENT_SECRET,
    authUrl: e.GOOGLE_AUTH_URL,
    tokenUrl: e.GOOGLE_TOKEN_URL,
    revokeUrl: e.GOOGLE_REVOKE_URL,
    apiBaseUrl: e.YOUTUBE_API_BASE_URL,
    scopes: e.YOUTUBE_SCOPES,
    sandbox: e.GOOGLE_SANDBOX,
    redirectUri: `${appUrl.replace(/\/+$/, "")}/api/oauth/youtube/callback`,
  };
}
