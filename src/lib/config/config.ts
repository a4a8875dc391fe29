import os from "node:os";
import path from "node:path";
import { envSchema, type RawEnv } from "./env-schema";
import { loadDevSecrets } from "./dev-secrets";
import { loadYouTubeConfig, YouTubeConfigError, type YouTubeConfig } from "@/lib/providers/youtube/config";
import { processSingleton, setProcessSingleton } from "@/lib/process-registry";

export interface AppConfig {
  nodeEnv: "development" | "production" | "test";
  databaseUrl: string | undefined;
  pgliteDataDir: string | undefined;
  /** Hot statements as named prepared statements (src/lib/db/prebuilt.ts). */
  databasePreparedStatements: boolean;
  redisUrl: string | undefined;
  appUrl: string;
  betterAuthUrl: string;
  betterAuthSecret: string;
  tokenEncryptionKeys: string;
  rateLimit: { perMinute: number; perDay: number };
  /** How many proxies in front append to X-Forwarded-For (src/lib/http/client-address.ts). */
  trustedProxyHops: number;
  refreshWorker: boolean;
  logLevel: string;
  metrics: {
    /** Bearer token for GET /api/metrics (docs/observability.md). */
    token: string | undefined;
    logIntervalMs: number;
  };
  uploads: UploadSettings;
  analytics: {
    /** ANALYTICS_INTERVAL: time between two snapshots of one account. */
    intervalMs: number;
    /** ANALYTICS_RETENTION_DAYS: snapshots older than this are deleted in bounded batches. */
    retentionDays: number;
  };
  tiktok: {
    clientKey: string | undefined;
    clientSecret: string | undefined;
    authUrl: string;
    apiBaseUrl: string;
    scopes: string[];
    pkceEncoding: "base64url" | "hex";
    /** True when the local TikTok sandbox stands in for TikTok (shown as a badge in the UI). */
    sandbox: boolean;
    redirectUri: string;
  };
  /** Google/YouTube; undefined when GOOGLE_CLIENT_ID is unset (YouTube is then not offered). */
  youtube: YouTubeConfig | undefined;
}

/** The upload settings the environment may change (src/lib/uploads/upload-config.ts adds the fixed ones). */
export interface UploadSettings {
  maxBytes: number;
  /** Our own folder inside UPLOAD_TMP_DIR, so leftovers can be swept without touching others' files. */
  tmpDir: string;
  /** UPLOAD_TMP_MAX_BYTES: what every file waiting in tmpDir may add up to (src/lib/uploads/upload-quotas.ts). */
  tmpMaxBytes: number;
  /** What one user's files in tmpDir may add up to: see {@link userTmpShareBytes}. */
  userTmpShareBytes: number;
  chunkBytes: number;
  /** First interval between status polls; it doubles every 5 polls up to a minute. */
  pollIntervalMs: number;
}

export function uploadSettings(
  e: Pick<RawEnv, "UPLOAD_MAX_BYTES" | "UPLOAD_TMP_DIR" | "UPLOAD_TMP_MAX_BYTES" | "UPLOAD_CHUNK_BYTES" | "UPLOAD_POLL_MS">,
): UploadSettings {
  if (e.UPLOAD_TMP_MAX_BYTES < e.UPLOAD_MAX_BYTES) {
    throw new ConfigError("Invalid configuration: UPLOAD_TMP_MAX_BYTES: must be at least UPLOAD_MAX_BYTES (one file of the largest size must fit)");
  }
  return {
    maxBytes: e.UPLOAD_MAX_BYTES,
    tmpDir: path.join(e.UPLOAD_TMP_DIR ?? os.tmpdir(), "socialflow-uploads"),
    tmpMaxBytes: e.UPLOAD_TMP_MAX_BYTES,
    userTmpShareBytes: userTmpShareBytes(e.UPLOAD_TMP_MAX_BYTES, e.UPLOAD_MAX_BYTES),
    chunkBytes: e.UPLOAD_CHUNK_BYTES,
    pollIntervalMs: e.UPLOAD_POLL_MS,
  };
}

/**
 * One user's share of the temporary-disk budget (S77): the budget less one file of the largest
 * size, so that however many files one user has on disk (being sent to TikTok does not count
 * against their 2 uploads in progress), a file of any allowed size still fits for everyone else.
 * With the defaults: 8 GiB of 12 GiB, two 4 GiB files. When the budget holds fewer than two
 * files of the largest size, keeping one back would leave a user unable to send such a file at
 * all, so the share is the whole budget: there is nothing to protect, and one user can again
 * fill it (a deployment that wants the protection sets UPLOAD_TMP_MAX_BYTES ≥ 2 × UPLOAD_MAX_BYTES).
 */
export function userTmpShareBytes(tmpMaxBytes: number, maxBytes: number): number {
  return tmpMaxBytes >= 2 * maxBytes ? tmpMaxBytes - maxBytes : tmpMaxBytes;
}

/** Upload settings with every variable unset: TikTok's limits and the OS temp folder. */
export function defaultUploadSettings(): UploadSettings {
  return uploadSettings(envSchema.parse({}));
}

export class ConfigError extends Error {
  readonly code = "config_invalid";
}

/**
 * Builds the configuration from an environment. In development, missing secrets are generated
 * once into `.data/` (with a warning); in production a missing one stops start-up with a message
 * saying how to make one (issue #2).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, dataDir = ".data"): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === "production";

  let tokenEncryptionKeys = e.TOKEN_ENCRYPTION_KEYS;
  let betterAuthSecret = e.BETTER_AUTH_SECRET;
  if (!tokenEncryptionKeys || !betterAuthSecret) {
    if (production) {
      const missing = [!tokenEncryptionKeys && "TOKEN_ENCRYPTION_KEYS", !betterAuthSecret && "BETTER_AUTH_SECRET"]
        .filter(Boolean)
        .join(" and ");
      throw new ConfigError(
        `${missing} must be set in production. Make a token key with \`npm run keys:generate\` ` +
          "and a session secret with `openssl rand -base64 32`.",
      );
    }
    const dev = loadDevSecrets(dataDir);
    tokenEncryptionKeys ??= dev.tokenEncryptionKeys;
    betterAuthSecret ??= dev.betterAuthSecret;
  }

  const sandbox = e.TIKTOK_SANDBOX ?? !e.TIKTOK_CLIENT_KEY;
  let youtube: YouTubeConfig | undefined;
  try {
    youtube = loadYouTubeConfig(env, e.NEXT_PUBLIC_APP_URL);
  } catch (error) {
    // Its message names the variable, never the value.
    if (error instanceof YouTubeConfigError) throw new ConfigError(error.message);
    throw error;
  }
  return {
    nodeEnv: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    pgliteDataDir: e.PGLITE_DATA_DIR || undefined,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS === "on",
    redisUrl: e.REDIS_URL,
    appUrl: e.NEXT_PUBLIC_APP_URL,
    betterAuthUrl: e.BETTER_AUTH_URL ?? e.NEXT_PUBLIC_APP_URL,
    betterAuthSecret,
    tokenEncryptionKeys,
    rateLimit: { perMinute: e.RATE_LIMIT_PER_MINUTE, perDay: e.RATE_LIMIT_PER_DAY },
    trustedProxyHops: e.TRUSTED_PROXY_HOPS,
    refreshWorker: e.REFRESH_WORKER === "on",
    logLevel: e.LOG_LEVEL,
    metrics: { token: e.METRICS_TOKEN, logIntervalMs: e.METRICS_LOG_INTERVAL_MS },
    uploads: uploadSettings(e),
    analytics: { intervalMs: e.ANALYTICS_INTERVAL, retentionDays: e.ANALYTICS_RETENTION_DAYS },
    tiktok: {
      clientKey: e.TIKTOK_CLIENT_KEY || undefined,
      clientSecret: e.TIKTOK_CLIENT_SECRET || undefined,
      authUrl: e.TIKTOK_AUTH_URL,
      apiBaseUrl: e.TIKTOK_API_BASE_URL,
      scopes: e.TIKTOK_SCOPES,
      pkceEncoding: e.TIKTOK_PKCE_ENCODING,
      sandbox,
      redirectUri: `${e.NEXT_PUBLIC_APP_URL}/api/oauth/tiktok/callback`,
    },
    youtube,
  };
}

declare module "@/lib/process-registry" {
  interface ProcessSlots {
    config: AppConfig;
  }
}

/** The process-wide configuration, read lazily (never at import time: `next build` imports modules). */
export function getConfig(): AppConfig {
  return processSingleton("config", () => loadConfig());
}

/** Tests replace the configuration with their own. */
export function setConfigForTests(config: AppConfig | undefined): void {
  setProcessSingleton("config", config);
}
