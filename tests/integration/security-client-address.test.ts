/**
 * S48: the sign-in limiter counts attempts per client address as TRUSTED_PROXY_HOPS defines it,
 * not per X-Forwarded-For value a client chose. Better Auth's real handler behind a real Node
 * HTTP server with the same stamp `next start` gets from instrumentation (server-runtime.ts).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAuth } from "@/lib/auth/auth";
import { loadConfig } from "@/lib/config/config";
import { openDatabase, type DatabaseHandle } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { installClientAddressStamp } from "@/lib/http/client-address-stamp";

const APP = "http://localhost:3998";

async function toRequest(req: IncomingMessage): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return new Request(`${APP}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
}

describe("S48: client address for Better Auth's sign-in limiter", { timeout: 60_000 }, () => {
  let handle: DatabaseHandle;
  let server: Server;
  let url: string;
  let uninstall: (() => void) | undefined;

  beforeAll(async () => {
    handle = await openDatabase({ pgliteDir: "memory://" });
    await migrateDatabase(handle);
    // Production turns Better Auth's limiter on (3 sign-in attempts per 10 s per address).
    const config = loadConfig({
      NODE_ENV: "production",
      NEXT_PUBLIC_APP_URL: APP,
      TOKEN_ENCRYPTION_KEYS: `t1:${randomBytes(32).toString("base64")}`,
      BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
      TIKTOK_CLIENT_KEY: "ck",
      TIKTOK_CLIENT_SECRET: "cs",
      REFRESH_WORKER: "off",
      LOG_LEVEL: "silent",
    } as NodeJS.ProcessEnv);
    const auth = createAuth(handle.db, config);
    server = createServer((req, res) => {
      void toRequest(req)
        .then((request) => auth.handler(request))
        .then(async (response) => {
          res.writeHead(response.status, Object.fromEntries(response.headers));
          res.end(Buffer.from(await response.arrayBuffer()));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => uninstall?.());
  afterAll(async () => {
    server?.close();
    await handle?.close();
  });

  /** One wrong-password sign-in; the HTTP status. */
  const attempt = async (forwardedFor: string) =>
    (
      await fetch(`${url}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: APP, "x-forwarded-for": forwardedFor },
        body: JSON.stringify({ email: "nobody@example.test", password: "wrong-password-123" }),
      })
    ).status;

  it("S48: hops 0 — a client sending a different X-Forwarded-For each time is still limited by its socket address", async () => {
    uninstall = installClientAddressStamp(0);
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++) statuses.push(await attempt(`198.51.100.${i}`));
    expect(statuses.slice(0, 3).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(3)).toEqual([429, 429, 429]);
  });

  it("S48: hops 1 — the right-most X-Forwarded-For entry is the client: spoofed left parts do not help, other clients are not affected", async () => {
    uninstall = installClientAddressStamp(1);
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) statuses.push(await attempt(`198.51.100.${i}, 203.0.113.10`));
    expect(statuses.slice(3)).toEqual([429, 429]);
    // Each distinct client behind the proxy has its own budget.
    for (let i = 20; i < 24; i++) expect(await attempt(`203.0.113.10, 203.0.113.${i}`)).not.toBe(429);
  });

  /** One wrong-password sign-in carrying no address at all; the HTTP status. */
  const anonymousAttempt = async () =>
    (
      await fetch(`${url}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: APP },
        body: JSON.stringify({ email: "nobody@example.test", password: "wrong-password-123" }),
      })
    ).status;

  it("S49: attempts whose client address is unknown (before the stamp is installed) are still limited, even when sent all at once", async () => {
    // No stamp installed: the private header is absent, so Better Auth knows no address. Before
    // 1.7 it then skipped its limiter altogether; now such attempts share one bucket.
    const statuses = await Promise.all(Array.from({ length: 12 }, () => anonymousAttempt()));
    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(3);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(9);
  });
});
