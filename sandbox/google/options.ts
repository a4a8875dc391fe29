/**
 * Option defaults, merging, and the zod schemas the control API validates with.
 */
import { z } from "zod";
import { httpStatus, transportFaultSchemas } from "../kit/options";
import { parseScopeParam } from "./scopes";
import { ENDPOINTS, type ResolvedOptions, type SandboxClient, type SandboxOptionsInput } from "./types";

export const DEFAULT_REDIRECT_URI = "http://localhost:3000/api/oauth/youtube/callback";

export const DEFAULT_CLIENT: Readonly<SandboxClient> = Object.freeze({
  clientId: "000000000000-sandbox.apps.googleusercontent.com",
  clientSecret: "GOCSPX-sandbox_client_secret",
  appName: "SocialFlow (sandbox)",
  redirectUris: [DEFAULT_REDIRECT_URI],
  projectId: "socialflow-sandbox",
  publishingStatus: "production",
});

export function defaultOptions(): ResolvedOptions {
  return {
    clients: [{ ...DEFAULT_CLIENT, redirectUris: [...DEFAULT_CLIENT.redirectUris] }],
    accessTokenTtlSec: 3599,
    codeTtlSec: 600,
    refreshTokenCap: 100,
    refreshIdleTtlSec: 183 * 86_400,
    timeLimitedAccessSec: 0,
    dailyQuota: 10_000,
    perMinuteLimit: 0,
    rateLimitStatus: 403,
    issParameter: false,
    statsTimeScale: 1,
    now: Date.now,
  };
}

function copyClient(c: SandboxClient): SandboxClient {
  const copy: SandboxClient = { ...c, redirectUris: [...c.redirectUris] };
  if (c.testUsers !== undefined) copy.testUsers = [...c.testUsers];
  return copy;
}

/** Applies `input` over `base` (a copy is returned). `redirectUris` replaces the first client's list. */
export function mergeOptions(base: ResolvedOptions, input: SandboxOptionsInput): ResolvedOptions {
  const next: ResolvedOptions = { ...base, clients: base.clients.map(copyClient) };
  const { clients, redirectUris, ...scalars } = input;
  if (clients !== undefined) next.clients = clients.map(copyClient);
  if (redirectUris !== undefined) {
    const first = next.clients[0];
    if (first) first.redirectUris = [...redirectUris];
  }
  for (const [k, v] of Object.entries(scalars)) {
    if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
  }
  return next;
}

// ---------------------------------------------------------------------------------------------

export const clientSchema = z.strictObject({
  clientId: z.string().min(1).max(200),
  clientSecret: z.string().min(1).max(500),
  appName: z.string().min(1).max(200),
  redirectUris: z.array(z.string().min(1).max(2000)).max(50),
  projectId: z.string().min(1).max(100),
  publishingStatus: z.enum(["production", "testing"]),
  testUsers: z.array(z.string().min(1).max(320)).max(100).optional(),
});

const positiveSec = z.number().int().positive();

/** Everything but `now` (a function cannot travel over HTTP; use /__sandbox/advance-time). */
export const optionsSchema = z.strictObject({
  clients: z.array(clientSchema).min(1).max(100).optional(),
  redirectUris: z.array(z.string().min(1).max(2000)).max(50).optional(),
  accessTokenTtlSec: positiveSec.optional(),
  codeTtlSec: positiveSec.optional(),
  refreshTokenCap: z.number().int().min(1).max(10_000).optional(),
  refreshIdleTtlSec: positiveSec.optional(),
  timeLimitedAccessSec: z.number().int().nonnegative().optional(),
  dailyQuota: z.number().int().nonnegative().optional(),
  perMinuteLimit: z.number().int().nonnegative().optional(),
  rateLimitStatus: z.union([z.literal(403), z.literal(429)]).optional(),
  issParameter: z.boolean().optional(),
  statsTimeScale: z.number().min(1).max(1_000_000).optional(),
});

export const endpointSchema = z.enum(ENDPOINTS);

const t = transportFaultSchemas;

export const faultSchema = z.discriminatedUnion("kind", [
  t.status,
  t.hang,
  t.html,
  t.malformed_json,
  t.wrong_content_type,
  t.delay,
  t.oauth_error,
  z.strictObject({
    kind: z.literal("api_error"),
    reason: z.string().min(1).max(100),
    status: httpStatus.optional(),
    message: z.string().max(500).optional(),
    domain: z.string().min(1).max(100).optional(),
  }),
]);

/** Scopes as an array or a space-separated string; short `email`/`profile` allowed. */
export const scopesInputSchema = z.union([z.array(z.string().min(1).max(200)).min(1).max(50), z.string().min(1).max(4000)]).transform((v, ctx) => {
  const parsed = parseScopeParam(Array.isArray(v) ? v.join(" ") : v);
  if (parsed.unknown.length > 0 || parsed.scopes.length === 0) {
    ctx.addIssue({ code: "custom", message: `unknown scope(s): ${parsed.unknown.join(" ")}` });
    return z.NEVER;
  }
  return parsed.scopes;
});

/** Ids the sandbox accepts for accounts (seeded or synthetic). */
export const accountIdSchema = z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/);
