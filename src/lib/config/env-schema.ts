import { z } from "zod";
import { DEFAULT_CHUNK_BYTES, MAX_CHUNK_BYTES, MAX_VIDEO_BYTES, MIN_CHUNK_BYTES } from "@/lib/uploads/chunk-plan";

/**
 * The environment contract (README "Configuration"). Every variable the app reads is here,
 * validated once; nothing else reads `process.env` for these names.
 */
const csv = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v && v.trim() ? v : fallback))
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );

const onOff = z
  .enum(["on", "off", "true", "false", "1", "0"])
  .optional()
  .transform((v) => (v === undefined ? undefined : v === "on" || v === "true" || v === "1"));

const optionalUrl = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() ? v.trim() : undefined))
  .pipe(z.url().optional());

const DURATION_UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A duration in milliseconds like the other *_MS variables, or with a unit for readability
 * (`30s`, `15m`, `6h`, `1d`), bounded so a typo cannot make the loop spin or never run.
 */
const duration = (fallbackMs: number, minMs: number, maxMs: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const text = v?.trim();
      if (!text) return fallbackMs;
      const match = /^(\d{1,12})(ms|s|m|h|d)?$/.exec(text);
      if (!match) {
        ctx.addIssue({ code: "custom", message: "must be milliseconds or a number with ms, s, m, h or d" });
        return z.NEVER;
      }
      return Number(match[1]) * DURATION_UNITS_MS[(match[2] ?? "ms") as keyof typeof DURATION_UNITS_MS];
    })
    .pipe(z.number().int().min(minMs).max(maxMs));

/**
 * 12 GiB: three uploads of TikTok's maximum size (4 GiB, UPLOAD_MAX_BYTES' default) fit at once,
 * so one user can have two of them on disk (their share, `userTmpShareBytes` in config.ts) and
 * one still fits for everyone else.
 */
export const DEFAULT_TMP_MAX_BYTES = 3 * MAX_VIDEO_BYTES;

/**
 * Name and avatar, @handle (`username`: user.info.profile), follower counts (user.info.stats),
 * the videos and inbox uploads (TikTok: Scopes overview).
 */
export const DEFAULT_TIKTOK_SCOPES = "user.info.basic,user.info.profile,user.info.stats,video.list,video.upload";

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: optionalUrl,
  /** Where PGlite keeps its data when DATABASE_URL is unset (default `.data/pglite`). */
  PGLITE_DATA_DIR: z.string().optional(),
  /**
   * `off` sends the hot statements unnamed, for a transaction-pooling proxy that cannot carry
   * named prepared statements (PgBouncer before 1.21, or without `max_prepared_statements`).
   */
  DATABASE_PREPARED_STATEMENTS: z.enum(["on", "off"]).default("on"),
  REDIS_URL: optionalUrl,
  NEXT_PUBLIC_APP_URL: z
    .string()
    .optional()
    .transform((v) => (v && v.trim() ? v.trim() : "http://localhost:3000"))
    .pipe(z.url())
    .transform((v) => v.replace(/\/+$/, "")),
  BETTER_AUTH_URL: optionalUrl,
  TOKEN_ENCRYPTION_KEYS: z.string().optional(),
  BETTER_AUTH_SECRET: z.string().min(32, "BETTER_AUTH_SECRET must be at least 32 characters").optional(),
  TIKTOK_CLIENT_KEY: z.string().optional(),
  TIKTOK_CLIENT_SECRET: z.string().optional(),
  TIKTOK_AUTH_URL: z
    .string()
    .optional()
    .transform((v) => v || "https://www.tiktok.com/v2/auth/authorize/")
    .pipe(z.url()),
  TIKTOK_API_BASE_URL: z
    .string()
    .optional()
    .transform((v) => v || "https://open.tiktokapis.com")
    .pipe(z.url())
    .transform((v) => v.replace(/\/+$/, "")),
  TIKTOK_SCOPES: csv(DEFAULT_TIKTOK_SCOPES),
  TIKTOK_PKCE_ENCODING: z.enum(["base64url", "hex"]).default("base64url"),
  TIKTOK_SANDBOX: onOff,
  REFRESH_WORKER: z.enum(["on", "off"]).default("on"),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(100),
  RATE_LIMIT_PER_DAY: z.coerce.number().int().positive().default(1000),
  /** Proxies in front of the app that append to X-Forwarded-For; 0 = clients connect directly (docs/deploy.md). */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Bearer token for GET /api/metrics; unset = open in development/test, closed in production. */
  METRICS_TOKEN: z
    .string()
    .optional()
    .transform((v) => (v && v.trim() ? v.trim() : undefined)),
  /** Period of the sweeper's `event: "metric"` log line; 0 = off, at most a day (a timer cannot wait longer than 2^31 ms). */
  METRICS_LOG_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
  /** How often each account's stats are snapshotted (issue #13): default 6 h, 10 s (dev, tests) to 7 days. */
  ANALYTICS_INTERVAL: duration(6 * 3_600_000, 10_000, 7 * 86_400_000),
  /** How long snapshots are kept, in days (default 400: a year with its same month last year). */
  ANALYTICS_RETENTION_DAYS: z.coerce.number().int().min(8).max(3650).default(400),
  /** Size cap while an upload streams in (default and maximum: TikTok's 4 GB). */
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().max(MAX_VIDEO_BYTES).default(MAX_VIDEO_BYTES),
  /** Where files wait between the browser and TikTok (default: the OS temp folder). */
  UPLOAD_TMP_DIR: z.string().min(1).optional(),
  /**
   * Temporary-disk budget: the sizes of all files that may wait on disk at once (announced,
   * arriving, checked or being sent). Default 12 GiB, three files of TikTok's maximum size; one
   * user may fill it up to one UPLOAD_MAX_BYTES short (config.ts, `userTmpShareBytes`). It may
   * not be smaller than UPLOAD_MAX_BYTES (a file that could never fit would be refused forever).
   */
  UPLOAD_TMP_MAX_BYTES: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).default(DEFAULT_TMP_MAX_BYTES),
  /** Preferred chunk size towards TikTok (TikTok allows 5–64 MB). */
  UPLOAD_CHUNK_BYTES: z.coerce.number().int().min(MIN_CHUNK_BYTES).max(MAX_CHUNK_BYTES).default(DEFAULT_CHUNK_BYTES),
  /** First publish-status polling interval. */
  UPLOAD_POLL_MS: z.coerce.number().int().min(10).max(600_000).default(3_000),
});

export type RawEnv = z.infer<typeof envSchema>;
