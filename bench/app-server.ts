/**
 * The production server under benchmark (`next start` of the built app) and a small
 * cookie-keeping HTTP client that talks to it as a browser would. Shared by the upload and
 * load benchmarks.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { hasProductionBuild, startAppProcess, type AppProcess } from "../tests/helpers/app-process";
import { DEFAULT_CLIENT as GOOGLE_CLIENT } from "../sandbox/google/options";
import { PROFILE_DIR } from "./lib";

/**
 * Starts `next start` (tests/helpers/app-process.ts) on `port` against the TikTok sandbox at
 * `sandboxUrl` (and, given `googleUrl`, the Google sandbox for YouTube), with fresh secrets and
 * the refresh worker off. `env` adds or overrides settings
 * (DATABASE_URL for PostgreSQL; PGlite in `PGLITE_DATA_DIR` otherwise).
 */
export async function startApp(options: { port: number; sandboxUrl: string; googleUrl?: string; env: Record<string, string> }): Promise<AppProcess> {
  if (!hasProductionBuild()) throw new Error("No production build in .next/ — run `npx next build` first.");
  const { port, sandboxUrl, googleUrl } = options;
  const google: Record<string, string> = googleUrl
    ? {
        GOOGLE_CLIENT_ID: GOOGLE_CLIENT.clientId,
        GOOGLE_CLIENT_SECRET: GOOGLE_CLIENT.clientSecret,
        GOOGLE_AUTH_URL: `${googleUrl}/o/oauth2/v2/auth`,
        GOOGLE_TOKEN_URL: `${googleUrl}/token`,
        GOOGLE_REVOKE_URL: `${googleUrl}/revoke`,
        YOUTUBE_API_BASE_URL: googleUrl,
        GOOGLE_SANDBOX: "on",
      }
    : { GOOGLE_CLIENT_ID: "" };
  return startAppProcess({
    port,
    readyTimeoutMs: 120_000,
    // BENCH_PROFILE=1: a V8 CPU profile of the server, written when it stops (bench/profile-summary.ts reads it).
    nodeArgs: process.env.BENCH_PROFILE === "1" ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : [],
    env: {
      // Empty is unset to the configuration: nothing of the caller's own environment leaks in.
      DATABASE_URL: "",
      REDIS_URL: "",
      TIKTOK_SCOPES: "",
      YOUTUBE_SCOPES: "",
      BETTER_AUTH_URL: "",
      PGLITE_DATA_DIR: "",
      NEXT_PUBLIC_APP_URL: `http://localhost:${port}`,
      TIKTOK_CLIENT_KEY: "sandbox_client_key",
      TIKTOK_CLIENT_SECRET: "sandbox_client_secret",
      TIKTOK_AUTH_URL: `${sandboxUrl}/v2/auth/authorize/`,
      TIKTOK_API_BASE_URL: sandboxUrl,
      TIKTOK_SANDBOX: "on",
      TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString("base64")}`,
      BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
      REFRESH_WORKER: "off",
      LOG_LEVEL: "warn",
      // The load generator plays the proxy in front: each virtual user presents its own address
      // as the one X-Forwarded-For entry (load-instance.ts), as real users behind a load balancer.
      TRUSTED_PROXY_HOPS: "1",
      ...google,
      ...options.env,
    },
  });
}

/** A browser, as far as the server can tell: keeps cookies, sends Origin on mutations, never follows redirects. */
export class Client {
  private readonly cookies = new Map<string, string>();
  constructor(
    readonly origin: string,
    /** Headers sent with every request (e.g. the client's own X-Forwarded-For). */
    private readonly baseHeaders: Record<string, string> = {},
  ) {}

  private absorb(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const i = pair!.indexOf("=");
      if (i > 0) this.cookies.set(pair!.slice(0, i).trim(), pair!.slice(i + 1).trim());
    }
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async fetch(pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
    const url = pathOrUrl.startsWith("http") ? pathOrUrl : `${this.origin}${pathOrUrl}`;
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.baseHeaders)) if (!headers.has(name)) headers.set(name, value);
    if (this.cookies.size) headers.set("cookie", this.cookieHeader);
    if ((init.method ?? "GET") !== "GET") headers.set("origin", this.origin);
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    this.absorb(response);
    return response;
  }

  async json<T>(pathOrUrl: string, init: RequestInit = {}): Promise<T> {
    const response = await this.fetch(pathOrUrl, init);
    const text = await response.text();
    if (!response.ok) throw new Error(`${init.method ?? "GET"} ${pathOrUrl} → ${response.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }
}

// --- the server's processes ---------------------------------------------------------------------

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(name), ...childrenOf(Number(name)));
    } catch {
      // gone
    }
  }
  return out;
}

/** The server's processes: `next start` and anything it spawned. */
export function serverPids(root: number): number[] {
  return [root, ...childrenOf(root)];
}

/** CPU time (user + system, ms) the given processes have used so far, from /proc/<pid>/stat. */
export function processCpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks * 10; // USER_HZ = 100 on Linux
}
