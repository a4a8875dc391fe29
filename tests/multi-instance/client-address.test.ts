import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasProductionBuild, startAppProcess, type AppProcess } from "../helpers/app-process";

/**
 * S48 in the built app: `next start` with the default TRUSTED_PROXY_HOPS=0 limits sign-in by the
 * socket address, so a client that sends a different X-Forwarded-For each time still runs into
 * Better Auth's limiter (3 attempts per 10 s). This needs the stamp that instrumentation installs
 * in the server process (src/lib/http/client-address-stamp.ts). Needs `next build`.
 */
const PORT = 3311;
const PUBLIC_URL = `http://localhost:${PORT}`;

describe.skipIf(!hasProductionBuild())("S48: client address in next start", () => {
  let app: AppProcess;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "sf-client-address-"));
    app = await startAppProcess({
      port: PORT,
      env: {
        PGLITE_DATA_DIR: path.join(dir, "pglite"),
        DATABASE_URL: "",
        REDIS_URL: "",
        NEXT_PUBLIC_APP_URL: PUBLIC_URL,
        BETTER_AUTH_URL: "",
        TOKEN_ENCRYPTION_KEYS: `a1:${randomBytes(32).toString("base64")}`,
        BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
        TIKTOK_CLIENT_KEY: "ck",
        TIKTOK_CLIENT_SECRET: "cs",
        REFRESH_WORKER: "off",
        TRUSTED_PROXY_HOPS: "",
        LOG_LEVEL: "warn",
      },
    });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("S48: hops 0 — rotating X-Forwarded-For does not escape the sign-in limiter", async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const response = await fetch(`${app.url}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: PUBLIC_URL, "x-forwarded-for": `198.51.100.${i}` },
        body: JSON.stringify({ email: "nobody@example.test", password: "wrong-password-123" }),
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 3), app.output()).not.toContain(429);
    expect(statuses.slice(3), app.output()).toEqual([429, 429]);
  });
});
