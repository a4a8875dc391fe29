/**
 * The app instances the end-to-end suite runs against (started by playwright.config.ts through
 * scripts/e2e-server.ts). Ports are fixed (3200/4011 and 3201/4012, shifted by E2E_PORT_OFFSET) so
 * that tests can compute every URL without asking a running process; each instance has its own
 * TikTok sandbox and its own fresh database.
 */
export interface E2EInstance {
  /** Playwright project that runs against this instance. */
  project: string;
  port: number;
  sandboxPort: number;
  pkce: "base64url" | "hex";
  oauthErrorStatus: 400 | 200;
  /** The app's origin (NEXT_PUBLIC_APP_URL of the instance; `localhost`, as the redirect URI says). */
  appURL: string;
  /** The instance's TikTok sandbox (no trailing slash); control API under `${sandboxURL}/__sandbox/`. */
  sandboxURL: string;
  googleSandboxPort: number;
  /** The instance's Google/YouTube sandbox (no trailing slash); control API under `${googleSandboxURL}/__sandbox/`. */
  googleSandboxURL: string;
  /** ANALYTICS_INTERVAL with the sweepers on (REFRESH_WORKER=on); without, the instance runs no background sweep. */
  analyticsInterval?: string;
}

function instance(project: string, port: number, sandboxPort: number, pkce: E2EInstance["pkce"], oauthErrorStatus: E2EInstance["oauthErrorStatus"]): E2EInstance {
  return {
    project,
    port: port + PORT_OFFSET,
    sandboxPort: sandboxPort + PORT_OFFSET,
    pkce,
    oauthErrorStatus,
    appURL: `http://localhost:${port + PORT_OFFSET}`,
    sandboxURL: `http://127.0.0.1:${sandboxPort + PORT_OFFSET}`,
    // Google sandboxes ten ports above the TikTok ones (4021, 4022).
    googleSandboxPort: sandboxPort + 10 + PORT_OFFSET,
    googleSandboxURL: `http://127.0.0.1:${sandboxPort + 10 + PORT_OFFSET}`,
  };
}

/**
 * Added to every port below (default 0), so that two checkouts on one machine can run the suite
 * at the same time: `E2E_PORT_OFFSET=100 npm run test:e2e` uses 3300/4111 and 3301/4112.
 */
export const PORT_OFFSET = portOffset(process.env.E2E_PORT_OFFSET);

function portOffset(raw: string | undefined): number {
  const n = Number(raw ?? 0);
  if (!Number.isInteger(n) || n < 0 || n > 20_000) throw new Error(`E2E_PORT_OFFSET must be an integer 0..20000, got ${raw}`);
  return n;
}

/** Instance A: RFC 7636 PKCE (base64url), OAuth errors answered with HTTP 400. Runs every `*.spec.ts` but `*.hex.spec.ts`. */
export const INSTANCE_A = instance("default", 3200, 4011, "base64url", 400);

/** Instance B: TikTok desktop-style hex PKCE, OAuth errors answered with HTTP 200. Runs `*.hex.spec.ts` only. */
export const INSTANCE_B = instance("hex-pkce-200-errors", 3201, 4012, "hex", 200);

/**
 * Instance C: like A, plus the background sweepers (REFRESH_WORKER on) with a 10-second
 * ANALYTICS_INTERVAL (its minimum), so the analytics walk sees several snapshots within a minute. Its own
 * instance, so the snapshot calls never consume another spec's queued sandbox faults or counters.
 * Runs `analytics-walk.spec.ts` only.
 */
export const INSTANCE_C = { ...instance("analytics", 3202, 4013, "base64url", 400), analyticsInterval: "10s" };

export const INSTANCES = [INSTANCE_A, INSTANCE_B, INSTANCE_C] as const;

/** The instance whose app origin is `baseURL` (e.g. `testInfo.project.use.baseURL`). */
export function instanceFor(baseURL: string | undefined): E2EInstance {
  const found = INSTANCES.find((i) => baseURL?.replace(/\/+$/, "") === i.appURL);
  if (!found) throw new Error(`No e2e instance serves ${baseURL ?? "(no baseURL)"}`);
  return found;
}
