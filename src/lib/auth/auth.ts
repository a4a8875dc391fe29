import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import type { Database } from "@/lib/db/client";
import * as schema from "@/lib/db/schema";
import type { AppConfig } from "@/lib/config/config";
import { clientAddressHeader } from "@/lib/http/client-address";
import { betterAuthLogger } from "./auth-logger";

export const MIN_PASSWORD_LENGTH = 10;

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
  });
}

export type Auth = ReturnType<typeof createAuth>;
