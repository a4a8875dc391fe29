import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, defaultUploadSettings, loadConfig } from "./config";

const secrets = {
  TOKEN_ENCRYPTION_KEYS: `c1:${randomBytes(32).toString("base64")}`,
  BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
};
const load = (env: Record<string, string>) => loadConfig({ NODE_ENV: "test", ...secrets, ...env } as NodeJS.ProcessEnv);

describe("configuration (one module reads every variable)", () => {
  it("upload settings: TikTok's limits and the OS temp folder by default, the environment within them", () => {
    expect(load({}).uploads).toEqual(defaultUploadSettings());
    expect(defaultUploadSettings()).toEqual({
      maxBytes: 4 * 1024 ** 3,
      tmpDir: path.join(os.tmpdir(), "socialflow-uploads"),
      tmpMaxBytes: 12 * 1024 ** 3,
      userTmpShareBytes: 8 * 1024 ** 3,
      chunkBytes: 10 * 1024 * 1024,
      pollIntervalMs: 3_000,
    });
    expect(load({ UPLOAD_MAX_BYTES: "1000000", UPLOAD_TMP_DIR: "/var/tmp/sf", UPLOAD_TMP_MAX_BYTES: "3000000", UPLOAD_CHUNK_BYTES: "5242880", UPLOAD_POLL_MS: "250" }).uploads).toEqual({
      maxBytes: 1_000_000,
      tmpDir: path.join("/var/tmp/sf", "socialflow-uploads"),
      tmpMaxBytes: 3_000_000,
      userTmpShareBytes: 2_000_000,
      chunkBytes: 5_242_880,
      pollIntervalMs: 250,
    });
  });

  it("S77: one user's share of the disk budget leaves a file of the largest size to the others, unless the budget holds fewer than two", () => {
    // By default three 4 GiB files fit: one user may hold two, the third stays free for everyone else.
    const defaults = defaultUploadSettings();
    expect(defaults.tmpMaxBytes).toBe(3 * defaults.maxBytes);
    expect(defaults.userTmpShareBytes).toBe(defaults.tmpMaxBytes - defaults.maxBytes);
    const share = (tmp: string) => load({ UPLOAD_MAX_BYTES: "1000000", UPLOAD_TMP_MAX_BYTES: tmp }).uploads.userTmpShareBytes;
    expect(share("5000000")).toBe(4_000_000);
    expect(share("2000000")).toBe(1_000_000);
    // Room for fewer than two largest files: holding one back would leave a user unable to send
    // one at all, so the share is the whole budget (nothing is protected).
    expect(share("1999999")).toBe(1_999_999);
    expect(share("1000000")).toBe(1_000_000);
    // The share is never smaller than the largest file.
    for (const tmp of ["1000000", "1500000", "1999999", "2000000", "2000001", "9999999"]) expect(share(tmp)).toBeGreaterThanOrEqual(1_000_000);
  });

  it.each([
    ["UPLOAD_MAX_BYTES", String(5 * 1024 ** 3)],
    ["UPLOAD_CHUNK_BYTES", "1024"],
    ["UPLOAD_POLL_MS", "five"],
    ["UPLOAD_TMP_MAX_BYTES", "-1"],
    ["UPLOAD_TMP_MAX_BYTES", "lots"],
    // Smaller than UPLOAD_MAX_BYTES (4 GiB by default): a file of the largest size could never fit.
    ["UPLOAD_TMP_MAX_BYTES", "1000000"],
    ["METRICS_LOG_INTERVAL_MS", "-1"],
    ["METRICS_LOG_INTERVAL_MS", "99999999999"],
    ["ANALYTICS_INTERVAL", "5s"],
    ["ANALYTICS_INTERVAL", "8d"],
    ["ANALYTICS_INTERVAL", "6 hours"],
    ["ANALYTICS_INTERVAL", "-6h"],
    ["ANALYTICS_RETENTION_DAYS", "7"],
    ["ANALYTICS_RETENTION_DAYS", "4000"],
  ])("refuses %s=%s with a message naming the variable and not its value", (name, value) => {
    expect(() => load({ [name]: value })).toThrow(ConfigError);
    expect(() => load({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name}: `));
  });

  it("prepared statements: on by default, `off` for a pooler that cannot carry them, nothing else", () => {
    expect(load({}).databasePreparedStatements).toBe(true);
    expect(load({ DATABASE_PREPARED_STATEMENTS: "on" }).databasePreparedStatements).toBe(true);
    expect(load({ DATABASE_PREPARED_STATEMENTS: "off" }).databasePreparedStatements).toBe(false);
    expect(() => load({ DATABASE_PREPARED_STATEMENTS: "false" })).toThrow(/DATABASE_PREPARED_STATEMENTS/);
  });

  it("metrics: token trimmed (blank = unset), log interval 60 s by default, 0 turns it off", () => {
    expect(load({}).metrics).toEqual({ token: undefined, logIntervalMs: 60_000 });
    expect(load({ METRICS_TOKEN: "  s3cret  ", METRICS_LOG_INTERVAL_MS: "0" }).metrics).toEqual({ token: "s3cret", logIntervalMs: 0 });
    expect(load({ METRICS_TOKEN: "   " }).metrics.token).toBeUndefined();
  });

  it("analytics: a snapshot every 6 h kept 400 days by default; the interval in ms or with a unit", () => {
    expect(load({}).analytics).toEqual({ intervalMs: 6 * 3_600_000, retentionDays: 400 });
    expect(load({ ANALYTICS_INTERVAL: "90000", ANALYTICS_RETENTION_DAYS: "30" }).analytics).toEqual({ intervalMs: 90_000, retentionDays: 30 });
    expect(load({ ANALYTICS_INTERVAL: "30s" }).analytics.intervalMs).toBe(30_000);
    expect(load({ ANALYTICS_INTERVAL: "15m" }).analytics.intervalMs).toBe(900_000);
    expect(load({ ANALYTICS_INTERVAL: "1d" }).analytics.intervalMs).toBe(86_400_000);
    expect(load({ ANALYTICS_INTERVAL: " " }).analytics.intervalMs).toBe(6 * 3_600_000);
  });

  it("production without secrets stops with how to make them", () => {
    expect(() => loadConfig({ NODE_ENV: "production" } as NodeJS.ProcessEnv)).toThrow(/npm run keys:generate/);
  });
});
