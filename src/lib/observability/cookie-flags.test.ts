import { authorizeRoute } from "../../../tests/helpers/oauth-routes";
/**
 * Cookie flags (issue 7, item 5; OWASP Session Management cheat sheet): every cookie SocialFlow
 * sets — Better Auth's session cookies and the OAuth browser-binding cookie — is HttpOnly and
 * SameSite=Lax, and Secure (with the __Secure- prefix for Better Auth) when the app is https.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { createAuth } from "@/lib/auth/auth";
import { loadConfig, setConfigForTests, type AppConfig } from "@/lib/config/config";
import { setDatabaseForTests } from "@/lib/db";
import { resetProcessSingletons } from "@/lib/process-registry";
import { openDatabase, type DatabaseHandle } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { BINDING_COOKIE } from "@/lib/connections/browser-binding";

function configFor(appUrl: string): AppConfig {
  return loadConfig({
    NODE_ENV: "test",
    NEXT_PUBLIC_APP_URL: appUrl,
    TOKEN_ENCRYPTION_KEYS: `t1:${randomBytes(32).toString("base64")}`,
    BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
    TIKTOK_CLIENT_KEY: "ck",
    TIKTOK_CLIENT_SECRET: "cs",
    REFRESH_WORKER: "off",
    LOG_LEVEL: "silent",
  } as NodeJS.ProcessEnv);
}

/** Attributes of one Set-Cookie line, names lower-cased. */
function attributes(line: string) {
  const [pair, ...rest] = line.split(";").map((p) => p.trim());
  const name = pair!.slice(0, pair!.indexOf("="));
  const attrs = new Map(rest.map((a) => [a.split("=")[0]!.toLowerCase(), a.split("=")[1] ?? ""]));
  return { name, attrs };
}

describe("cookie flags", { timeout: 60_000 }, () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openDatabase({ pgliteDir: "memory://" });
    await migrateDatabase(handle);
  }, 60_000);
  afterEach(() => {
    resetProcessSingletons(["auth", "services", "cipher"]);
    setConfigForTests(undefined);
    setDatabaseForTests(undefined);
  });
  afterAll(async () => {
    await handle?.close();
  });

  async function world(appUrl: string) {
    const config = configFor(appUrl);
    setConfigForTests(config);
    setDatabaseForTests(handle);
    const auth = createAuth(handle.db, config);
    const signUp = await auth.api.signUpEmail({
      body: { email: `u${randomBytes(4).toString("hex")}@example.test`, password: "correct-horse-battery", name: "u" },
      asResponse: true,
      headers: new Headers({ origin: appUrl }),
    });
    expect(signUp.status).toBe(200);
    return { appUrl, sessionCookies: signUp.headers.getSetCookie() };
  }

  async function bindingCookieLine(appUrl: string, sessionCookies: string[]) {
    const cookie = sessionCookies.map((c) => c.split(";")[0]).join("; ");
    const response = await authorizeRoute(
      new Request(`${appUrl}/api/oauth/tiktok/authorize`, { method: "POST", headers: { cookie, origin: appUrl } }),
    );
    expect(response.status).toBe(200);
    const line = response.headers.getSetCookie().find((c) => c.startsWith(`${BINDING_COOKIE}=`));
    expect(line).toBeDefined();
    return line!;
  }

  it("https app: Better Auth's session cookies and the binding cookie are Secure, HttpOnly, SameSite=Lax", async () => {
    const { appUrl, sessionCookies } = await world("https://socialflow.example");
    expect(sessionCookies.length).toBeGreaterThan(0);
    for (const line of [...sessionCookies, await bindingCookieLine(appUrl, sessionCookies)]) {
      const { name, attrs } = attributes(line);
      expect(attrs.has("httponly"), line).toBe(true);
      expect(attrs.get("samesite")?.toLowerCase(), line).toBe("lax");
      expect(attrs.has("secure"), line).toBe(true);
      if (name !== BINDING_COOKIE) expect(name, "Better Auth uses the __Secure- prefix over https").toMatch(/^__Secure-/);
    }
  });

  it("http app (local development): HttpOnly and SameSite=Lax, not Secure (the browser would drop it)", async () => {
    const { appUrl, sessionCookies } = await world("http://localhost:3000");
    for (const line of [...sessionCookies, await bindingCookieLine(appUrl, sessionCookies)]) {
      const { name, attrs } = attributes(line);
      expect(attrs.has("httponly"), line).toBe(true);
      expect(attrs.get("samesite")?.toLowerCase(), line).toBe("lax");
      expect(attrs.has("secure"), line).toBe(false);
      expect(name).not.toMatch(/^__Secure-/);
    }
  });
});
