/**
 * Option defaults, merging, and the zod schema the HTTP control API validates with.
 */
import { z } from "zod";
import { httpStatus, transportFaultSchemas } from "../kit/options";
import {
  ENDPOINTS,
  KNOWN_SCOPES,
  type RateLimits,
  type ResolvedOptions,
  type SandboxClient,
  type SandboxOptionsInput,
} from "./types";

export const DEFAULT_REDIRECT_URI = "http://localhost:3000/api/oauth/tiktok/callback";

export const DEFAULT_CLIENT: Readonly<SandboxClient> = Object.freeze({
  clientKey: "sandbox_client_key",
  clientSecret: "sandbox_client_secret",
  appName: "SocialFlow (sandbox)",
  redirectUris: [DEFAULT_REDIRECT_URI],
  audited: true,
});

/**
 * Per-token limits a minute: 600 for user info and video list
 * (https://developers.tiktok.com/doc/tiktok-api-v2-rate-limit); creator_info 20, the two inits 6,
 * status 30 (Content Posting API reference).
 */
export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = Object.freeze({
  user_info: 600,
  video_list: 600,
  creator_info: 20,
  video_init: 6,
  inbox_init: 6,
  status: 30,
});

export function defaultOptions(): ResolvedOptions {
  return {
    clients: [{ ...DEFAULT_CLIENT, redirectUris: [...DEFAULT_CLIENT.redirectUris] }],
    accessTokenTtlSec: 86_400,
    refreshTokenTtlSec: 31_536_000,
    codeTtlSec: 600,
    oauthErrorStatus: 400,
    pkceMode: "base64url",
    pkceRequired: true,
    rateLimits: { ...DEFAULT_RATE_LIMITS },
    now: Date.now,
    statusStepMs: 1_500,
    avatarBaseUrl: undefined,
    coverBaseUrl: undefined,
    verifiedDomains: [],
    uploadUrlTtlSec: 3_600,
    refreshRotationResetsExpiry: false,
    revokeFamilyOnRefreshReuse: false,
    hashUploads: true,
    statsTimeScale: 1,
  };
}

function copyClient(c: SandboxClient): SandboxClient {
  const copy: SandboxClient = { ...c, redirectUris: [...c.redirectUris] };
  if (c.approvedScopes !== undefined) copy.approvedScopes = [...c.approvedScopes];
  return copy;
}

/**
 * Applies `input` over `base` (a copy is returned; `base` is not modified).
 * `rateLimits` merge per key; `clients` and `verifiedDomains` replace; `redirectUris` replaces the
 * first client's list (after `clients`, if both are given).
 */
export function mergeOptions(base: ResolvedOptions, input: SandboxOptionsInput): ResolvedOptions {
  const next: ResolvedOptions = {
    ...base,
    clients: base.clients.map(copyClient),
    rateLimits: { ...base.rateLimits },
    verifiedDomains: [...base.verifiedDomains],
  };
  if (input.clients !== undefined) next.clients = input.clients.map(copyClient);
  if (input.redirectUris !== undefined) {
    const first = next.clients[0];
    if (first) first.redirectUris = [...input.redirectUris];
  }
  if (input.accessTokenTtlSec !== undefined) next.accessTokenTtlSec = input.accessTokenTtlSec;
  if (input.refreshTokenTtlSec !== undefined) next.refreshTokenTtlSec = input.refreshTokenTtlSec;
  if (input.codeTtlSec !== undefined) next.codeTtlSec = input.codeTtlSec;
  if (input.oauthErrorStatus !== undefined) next.oauthErrorStatus = input.oauthErrorStatus;
  if (input.pkceMode !== undefined) next.pkceMode = input.pkceMode;
  if (input.pkceRequired !== undefined) next.pkceRequired = input.pkceRequired;
  if (input.rateLimits !== undefined) {
    for (const [k, v] of Object.entries(input.rateLimits)) {
      if (v !== undefined && k in next.rateLimits) next.rateLimits[k as keyof RateLimits] = v;
    }
  }
  if (input.now !== undefined) next.now = input.now;
  if (input.statusStepMs !== undefined) next.statusStepMs = input.statusStepMs;
  if (input.avatarBaseUrl !== undefined) next.avatarBaseUrl = input.avatarBaseUrl?.replace(/\/+$/, "") || undefined;
  if (input.coverBaseUrl !== undefined) next.coverBaseUrl = input.coverBaseUrl?.replace(/\/+$/, "") || undefined;
  if (input.verifiedDomains !== undefined) next.verifiedDomains = input.verifiedDomains.map((d) => d.toLowerCase());
  if (input.uploadUrlTtlSec !== undefined) next.uploadUrlTtlSec = input.uploadUrlTtlSec;
  if (input.refreshRotationResetsExpiry !== undefined) next.refreshRotationResetsExpiry = input.refreshRotationResetsExpiry;
  if (input.revokeFamilyOnRefreshReuse !== undefined) next.revokeFamilyOnRefreshReuse = input.revokeFamilyOnRefreshReuse;
  if (input.hashUploads !== undefined) next.hashUploads = input.hashUploads;
  if (input.statsTimeScale !== undefined) next.statsTimeScale = input.statsTimeScale;
  return next;
}

// ---------------------------------------------------------------------------------------------
// zod schemas (HTTP control API and in-process validation of options)

const positiveSec = z.number().int().positive();

export const clientSchema = z.strictObject({
  clientKey: z.string().min(1).max(200),
  clientSecret: z.string().min(1).max(500),
  appName: z.string().min(1).max(200),
  redirectUris: z.array(z.string().min(1).max(2000)).max(50),
  audited: z.boolean(),
  approvedScopes: z.array(z.enum(KNOWN_SCOPES)).optional(),
});

export const rateLimitsSchema = z
  .strictObject({
    user_info: z.number().int().nonnegative(),
    video_list: z.number().int().nonnegative(),
    creator_info: z.number().int().nonnegative(),
    video_init: z.number().int().nonnegative(),
    inbox_init: z.number().int().nonnegative(),
    status: z.number().int().nonnegative(),
  })
  .partial();

/** Everything but `now` (a function cannot travel over HTTP; use /__sandbox/advance-time). */
export const optionsSchema = z.strictObject({
  clients: z.array(clientSchema).min(1).max(100).optional(),
  redirectUris: z.array(z.string().min(1).max(2000)).max(50).optional(),
  accessTokenTtlSec: positiveSec.optional(),
  refreshTokenTtlSec: positiveSec.optional(),
  codeTtlSec: positiveSec.optional(),
  oauthErrorStatus: z.union([z.literal(400), z.literal(200)]).optional(),
  pkceMode: z.enum(["base64url", "hex"]).optional(),
  pkceRequired: z.boolean().optional(),
  rateLimits: rateLimitsSchema.optional(),
  statusStepMs: z.number().int().nonnegative().optional(),
  avatarBaseUrl: z.string().max(2000).nullable().optional(),
  coverBaseUrl: z.string().max(2000).nullable().optional(),
  verifiedDomains: z.array(z.string().min(1).max(253)).max(100).optional(),
  uploadUrlTtlSec: positiveSec.optional(),
  refreshRotationResetsExpiry: z.boolean().optional(),
  revokeFamilyOnRefreshReuse: z.boolean().optional(),
  hashUploads: z.boolean().optional(),
  statsTimeScale: z.number().min(1).max(1_000_000).optional(),
});

export const endpointSchema = z.enum(ENDPOINTS);

const t = transportFaultSchemas;

export const faultSchema = z.discriminatedUnion("kind", [
  t.status,
  t.hang,
  t.html,
  t.malformed_json,
  z.strictObject({ kind: z.literal("json_array") }),
  t.wrong_content_type,
  t.oauth_error,
  z.strictObject({
    kind: z.literal("api_error"),
    code: z.string().min(1).max(100),
    status: httpStatus.optional(),
    message: z.string().max(500).optional(),
  }),
  t.delay,
  z.strictObject({ kind: z.literal("upload_url"), url: z.string().min(1).max(4096) }),
]);

export const scopesInputSchema = z.union([
  z.array(z.enum(KNOWN_SCOPES)).min(1),
  z
    .string()
    .min(1)
    .transform((s, ctx) => {
      const parts = s.split(",").map((p) => p.trim()).filter(Boolean);
      const bad = parts.filter((p) => !(KNOWN_SCOPES as readonly string[]).includes(p));
      if (bad.length > 0 || parts.length === 0) {
        ctx.addIssue({ code: "custom", message: `unknown scope(s): ${bad.join(",")}` });
        return z.NEVER;
      }
      return parts;
    }),
]);

/** open_ids the sandbox accepts for issueTokensDirectly / revokeGrant (seeded or synthetic). */
export const openIdSchema = z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/);
