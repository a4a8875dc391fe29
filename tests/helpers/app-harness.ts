import { startTikTokSandbox } from "../../sandbox/tiktok/index";
import type { SandboxOptions } from "../../sandbox/tiktok/index";
import { DEFAULT_CLIENT as GOOGLE_CLIENT, startGoogleSandbox } from "../../sandbox/google/index";
import type { SandboxOptions as GoogleSandboxOptions } from "../../sandbox/google/index";
import { loadConfig, setConfigForTests, type AppConfig } from "@/lib/config/config";
import { setDatabaseForTests } from "@/lib/db";
import { resetProcessSingletons } from "@/lib/process-registry";
import { closeProviderAgent } from "@/lib/connections/provider-agent";
import { createAuth } from "@/lib/auth/auth";
import { createTestDatabase } from "./test-db";
import { randomBytes } from "node:crypto";

export const APP_URL = "http://localhost:3999";
export const REDIRECT_URI = `${APP_URL}/api/oauth/tiktok/callback`;
export const YOUTUBE_REDIRECT_URI = `${APP_URL}/api/oauth/youtube/callback`;


/**
 * The app's real route handlers and services wired to a test database, a running TikTok
 * sandbox and a running Google sandbox, through the configuration contract alone
 * (TIKTOK_AUTH_URL, TIKTOK_API_BASE_URL, GOOGLE_*_URL, YOUTUBE_API_BASE_URL, client ids and
 * secrets) — exactly how a deployment would point at TikTok and Google.
 */
export async function startAppHarness(
  options: { sandbox?: Partial<SandboxOptions>; google?: Partial<GoogleSandboxOptions>; env?: Record<string, string> } = {},
) {
  const sandbox = await startTikTokSandbox({ port: 0, redirectUris: [REDIRECT_URI], ...options.sandbox });
  const google = await startGoogleSandbox({ port: 0, redirectUris: [YOUTUBE_REDIRECT_URI], ...options.google });
  const database = await createTestDatabase();
  const env = {
    NODE_ENV: "test",
    NEXT_PUBLIC_APP_URL: APP_URL,
    TOKEN_ENCRYPTION_KEYS: `t1:${randomBytes(32).toString("base64")}`,
    BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
    TIKTOK_CLIENT_KEY: "sandbox_client_key",
    TIKTOK_CLIENT_SECRET: "sandbox_client_secret",
    TIKTOK_AUTH_URL: `${sandbox.url}/v2/auth/authorize/`,
    TIKTOK_API_BASE_URL: sandbox.url,
    TIKTOK_SANDBOX: "on",
    GOOGLE_CLIENT_ID: GOOGLE_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: GOOGLE_CLIENT.clientSecret,
    GOOGLE_AUTH_URL: `${google.url}/o/oauth2/v2/auth`,
    GOOGLE_TOKEN_URL: `${google.url}/token`,
    GOOGLE_REVOKE_URL: `${google.url}/revoke`,
    YOUTUBE_API_BASE_URL: google.url,
    GOOGLE_SANDBOX: "on",
    REFRESH_WORKER: "off",
    LOG_LEVEL: "silent",
    ...options.env,
  } as NodeJS.ProcessEnv;
  const config: AppConfig = loadConfig(env);
  const install = () => {
    resetAppGlobals();
    setConfigForTests(config);
    setDatabaseForTests(database);
  };
  install();
  const auth = createAuth(database.db, config);

  let userCounter = 0;
  return {
    sandbox,
    /** The Google/YouTube sandbox (accounts: sandbox/google/seed.ts). */
    google,
    database,
    db: database.db,
    config,
    auth,
    /** Re-installs this harness's globals (after another harness in the same file). */
    install,
    /** A signed-in SocialFlow user: id and the cookie header of their browser. */
    async signUp(name = `user${++userCounter}`) {
      const email = `${name}-${randomBytes(4).toString("hex")}@example.test`;
      const response = await auth.api.signUpEmail({
        body: { email, password: "correct-horse-battery", name },
        asResponse: true,
        headers: new Headers({ origin: APP_URL }),
      });
      const setCookie = response.headers.getSetCookie();
      const cookie = setCookie.map((c) => c.split(";")[0]).join("; ");
      const body = (await response.json()) as { user: { id: string } };
      return { id: body.user.id, email, cookie };
    },
    async close() {
      resetAppGlobals();
      setConfigForTests(undefined);
      setDatabaseForTests(undefined);
      await sandbox.close();
      await google.close();
      await closeProviderAgent();
      await database.close();
    },
  };
}

export type AppHarness = Awaited<ReturnType<typeof startAppHarness>>;

/** Forgets the process's auth, services and cipher, so the next use builds them from the current config and database. */
export function resetAppGlobals(): void {
  resetProcessSingletons(["auth", "services", "cipher"]);
}

/** A browser: its cookies, sent along with each request like a real one would. */
export class TestBrowser {
  private readonly jar = new Map<string, string>();
  constructor(sessionCookie?: string) {
    if (sessionCookie) this.absorb(sessionCookie.split("; ").map((c) => c));
  }

  get cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  absorb(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair] = line.split(";");
      const index = pair!.indexOf("=");
      if (index > 0) this.jar.set(pair!.slice(0, index).trim(), pair!.slice(index + 1).trim());
    }
  }

  forget(name: string): void {
    this.jar.delete(name);
  }

  request(url: string, init: RequestInit & { origin?: string | null } = {}): Request {
    const headers = new Headers(init.headers);
    if (this.jar.size) headers.set("cookie", this.cookieHeader);
    const origin = init.origin === undefined ? APP_URL : init.origin;
    if (origin !== null && (init.method ?? "GET") !== "GET") headers.set("origin", origin);
    return new Request(url, { ...init, headers });
  }
}

/**
 * What a person does on the sandbox's consent page: pick a test account, untick scopes, and
 * press Authorize or Cancel. Returns the URL TikTok redirects the browser to.
 */
export async function decideAtSandbox(
  authorizeUrl: string,
  choice: { decision?: "authorize" | "cancel"; openId?: string; grant?: string[] } = {},
): Promise<string> {
  const url = new URL(authorizeUrl);
  const page = await fetch(url);
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}`);
  const form = new URLSearchParams(url.searchParams);
  form.set("decision", choice.decision ?? "authorize");
  form.set("open_id", choice.openId ?? "sbx-ava-0001");
  const requested = (url.searchParams.get("scope") ?? "").split(",");
  for (const scope of choice.grant ?? requested) form.append("scope_granted", scope);
  const decided = await fetch(new URL("/v2/auth/authorize/decision", url), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
    redirect: "manual",
  });
  const location = decided.headers.get("location");
  if (decided.status !== 302 || !location) throw new Error(`consent decision answered ${decided.status}`);
  return location;
}
