import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { nextCookies } from "better-auth/next-js";
import type { Database } from "@/lib/db/client";
import * as schema from "@/lib/db/schema";
import type { AppConfig } from "@/lib/config/config";
import { clientAddressHeader } from "@/lib/http/client-address";
import { betterAuthLogger } from "./auth-logger";

export const MIN_PASSWORD_LENGTH = 10;

/**
 * How long a signed copy of the session in a cookie (Better Auth's `session.cookieCache`) is
 * believed without asking the database. It is the bound on revocation: a session deleted on the
 * server (signed out on another device, revoked) still opens pages and APIs from a browser that
 * holds a fresh copy for at most this long; signing out on this browser clears the copy at once
 * (docs/security.md "Session cookie cache"). The copy is never extended without a database read.
 */
export const SESSION_COOKIE_CACHE_SECONDS = 60;

/** Better Auth: email + password sign-in with a session cookie (docs/architecture.md). */
export function createAuth(db: Database, config: AppConfig) {
  return betterAuth({
    appName: "SocialFlow",
    baseURL: config.betterAuthUrl,
    secret: config.betterAuthSecret,
    database: drizzleAdapter(db, {
      provider: "pg",
      schema: { user: schema.user, session: schema.session, account: schema.account, verification: schema.verification },
    }),
    session: { cookieCache: { enabled: true, maxAge: SESSION_COOKIE_CACHE_SECONDS, strategy: "compact" } },
    emailAndPassword: { enabled: true, minPasswordLength: MIN_PASSWORD_LENGTH, maxPasswordLength: 128, autoSignIn: true },
    trustedOrigins: [config.appUrl, config.betterAuthUrl],
    telemetry: { enabled: false },
    logger: betterAuthLogger(),
    advanced: {
      useSecureCookies: config.appUrl.startsWith("https://"),
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax" },
      // The address the server process stamped from the socket and TRUSTED_PROXY_HOPS
      // (src/lib/http/client-address-stamp.ts), never X-Forwarded-For as the client sent it.
      ipAddress: { ipAddressHeaders: [clientAddressHeader()] },
    },
    // Better Auth's own limiter guards sign-in/sign-up against guessing.
    rateLimit: { enabled: config.nodeEnv === "production", window: 60, max: 100 },
    // After a database read, a route handler's session check answers with a fresh cache cookie
    // (through Next's cookies()); without it the copy made at sign-in would lapse once and every
    // later request would read the database. Must stay the last plugin.
    plugins: [nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;
