/**
 * The security cases that hold for any provider, run for each registered one (TikTok and
 * YouTube) through the app's real `[provider]` routes and the provider's sandbox: state, PKCE,
 * replay, cross-user and cross-browser callbacks, no token in logs, revoke on disconnect and a
 * single-flight refresh. A third provider adds one driver below.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { socialAccounts, type SocialAccountRow } from "@/lib/db/schema";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { tokenAad } from "@/lib/connections/account-store";
import { getAppServices } from "@/lib/services";
import { APP_URL, decideAtSandbox, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { followCallback, startConnect } from "../helpers/connect-flow";
import { disconnectRoute } from "../helpers/oauth-routes";
import { captureLogs, type LogCapture } from "../helpers/log-capture";
import { consent } from "../../sandbox/google/tests/helpers";
import { ADA } from "../../sandbox/google/tests/helpers";

let h: AppHarness;
let logs: LogCapture;
beforeAll(async () => {
  logs = captureLogs("trace");
  h = await startAppHarness({ env: { LOG_LEVEL: "trace" } });
}, 120_000);
afterAll(async () => {
  logs?.restore();
  await h?.close();
});

interface Counts {
  exchanges: number;
  refreshes: number;
  revokes: number;
}

/** How a test reaches a provider's sandbox: its consent step and its counters. */
interface Driver {
  slug: string;
  /** The browser's trip through the provider's consent: the callback URL it is sent back to. */
  consent(authorizeUrl: string): Promise<string>;
  counts(): Counts;
  reset(): void;
  /** The app's client secret for this provider (never in a log). */
  clientSecret(): string;
}

const DRIVERS: Driver[] = [
  {
    slug: "tiktok",
    consent: (url) => decideAtSandbox(url, { openId: "sbx-ava-0001" }),
    counts: () => {
      const c = h.sandbox.control.counters();
      return { exchanges: c.tokenByGrant.authorization_code, refreshes: c.tokenByGrant.refresh_token, revokes: c.revoke };
    },
    reset: () => h.sandbox.control.clearFaults(),
    clientSecret: () => h.config.tiktok.clientSecret!,
  },
  {
    slug: "youtube",
    consent: async (url) => {
      const parsed = new URL(url);
      const step = await consent(parsed.origin, parsed.searchParams, { account: ADA });
      if (step.status !== 302 || !step.location) throw new Error(`Google sandbox answered ${step.status}`);
      return step.location;
    },
    counts: () => {
      const c = h.google.control.counters();
      return { exchanges: c.tokenByGrant.authorization_code, refreshes: c.tokenByGrant.refresh_token, revokes: c.revoke };
    },
    reset: () => h.google.control.reset(),
    clientSecret: () => h.config.youtube!.clientSecret,
  },
];

const post = (browser: TestBrowser, url: string, body: unknown) =>
  browser.request(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe.each(DRIVERS)("provider $slug", { timeout: 60_000 }, (driver) => {
  const { slug } = driver;
  beforeEach(async () => {
    h.install();
    driver.reset();
    // One seeded identity per sandbox: each test links it afresh.
    await h.db.delete(socialAccounts);
  });

  async function signedIn() {
    const user = await h.signUp();
    return { user, browser: new TestBrowser(user.cookie) };
  }
  async function connect(browser: TestBrowser) {
    const callbackUrl = await driver.consent(await startConnect(browser, slug));
    return followCallback(browser, callbackUrl, slug);
  }
  async function rowsOf(userId: string): Promise<SocialAccountRow[]> {
    return h.db.select().from(socialAccounts).where(eq(socialAccounts.userId, userId));
  }

  it(`S2: ${slug}'s authorize URL carries an S256 challenge of a ≥ 32-byte verifier and a ≥ 32-byte state, never the client secret`, async () => {
    const { browser } = await signedIn();
    const url = new URL(await startConnect(browser, slug));
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^([A-Za-z0-9_-]{43}|[0-9a-f]{64})$/);
    expect((url.searchParams.get("state") ?? "").length).toBeGreaterThanOrEqual(43);
    expect(url.toString()).not.toContain(driver.clientSecret());
  });

  it(`S5: a forged state at ${slug}'s callback → invalid_state, no token call`, async () => {
    const { user, browser } = await signedIn();
    const callbackUrl = await driver.consent(await startConnect(browser, slug));
    const forged = new URL(callbackUrl);
    forged.searchParams.set("state", randomBytes(32).toString("base64url"));
    const before = driver.counts().exchanges;
    const { location } = await followCallback(browser, forged.toString(), slug);
    expect(location?.searchParams.get("error")).toBe("invalid_state");
    expect(driver.counts().exchanges).toBe(before);
    expect(await rowsOf(user.id)).toEqual([]);
  });

  it(`S6: a replayed ${slug} callback exchanges the code once`, async () => {
    const { user, browser } = await signedIn();
    const callbackUrl = await driver.consent(await startConnect(browser, slug));
    const before = driver.counts().exchanges;
    expect((await followCallback(browser, callbackUrl, slug)).location?.searchParams.get("account")).toBeTruthy();
    expect((await followCallback(browser, callbackUrl, slug)).location?.searchParams.get("error")).toBe("invalid_state");
    expect(driver.counts().exchanges - before).toBe(1);
    expect(await rowsOf(user.id)).toHaveLength(1);
  });

  it(`S7: a ${slug} state created by user A arriving in user B's session → rejected, nothing linked to B`, async () => {
    const a = await signedIn();
    const b = await signedIn();
    const callbackUrl = await driver.consent(await startConnect(a.browser, slug));
    // B's own browser, with A's binding cookie copied over: only the session differs.
    const bBrowser = new TestBrowser(b.user.cookie);
    bBrowser.absorb(a.browser.cookieHeader.split("; ").filter((c) => !c.includes("session")));
    const before = driver.counts().exchanges;
    const { location } = await followCallback(bBrowser, callbackUrl, slug);
    expect(location?.searchParams.get("error")).toBe("invalid_state");
    expect(driver.counts().exchanges).toBe(before);
    expect(await rowsOf(b.user.id)).toEqual([]);
    expect(await rowsOf(a.user.id)).toEqual([]);
  });

  it(`S8: a ${slug} state not bound to this browser (same user, another browser) → rejected`, async () => {
    const { user, browser } = await signedIn();
    const callbackUrl = await driver.consent(await startConnect(browser, slug));
    const before = driver.counts().exchanges;
    const { location } = await followCallback(new TestBrowser(user.cookie), callbackUrl, slug);
    expect(location?.searchParams.get("error")).toBe("invalid_state");
    expect(driver.counts().exchanges).toBe(before);
  });

  it(`S16: PKCE holds at ${slug}: a code issued for another challenge fails the exchange after exactly one token call`, async () => {
    const { user, browser } = await signedIn();
    const url = new URL(await startConnect(browser, slug));
    // An attacker's challenge in place of the app's: the provider binds the code to it, and the
    // app's verifier does not match.
    const other = createHash("sha256").update(randomBytes(32).toString("base64url")).digest();
    const encoding = url.searchParams.get("code_challenge")!.length === 64 ? "hex" : "base64url";
    url.searchParams.set("code_challenge", other.toString(encoding));
    const callbackUrl = await driver.consent(url.toString());
    const before = driver.counts().exchanges;
    const { location } = await followCallback(browser, callbackUrl, slug);
    expect(location?.searchParams.get("error")).toBe("token_exchange_failed");
    expect(driver.counts().exchanges - before).toBe(1);
    expect(await rowsOf(user.id)).toEqual([]);
  });

  it(`S30: N concurrent forced refreshes of a ${slug} account → one token call; the account stays ACTIVE`, async () => {
    const { user, browser } = await signedIn();
    await connect(browser);
    const [row] = await rowsOf(user.id);
    const { refresher } = await getAppServices();
    const before = driver.counts().refreshes;
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => refresher.refresh(row!.id, { force: true })));
    expect(driver.counts().refreshes - before).toBe(1);
    expect(new Set(outcomes.map((o) => o.status))).toEqual(new Set(["refreshed"]));
    const [after] = await rowsOf(user.id);
    expect(after).toMatchObject({ status: "ACTIVE", refreshFailures: 0 });
    expect(after!.refreshToken).not.toBeNull();
  });

  it(`S37: disconnecting a ${slug} account revokes the grant at the provider first, then deletes the row`, async () => {
    const { user, browser } = await signedIn();
    await connect(browser);
    const [row] = await rowsOf(user.id);
    const before = driver.counts().revokes;
    const response = await disconnectRoute(post(browser, `${APP_URL}/api/oauth/${slug}/disconnect`, { accountId: row!.id }), slug);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ success: true, revoked: true });
    expect(driver.counts().revokes - before).toBe(1);
    expect(await rowsOf(user.id)).toEqual([]);
  });

  it(`S29: no ${slug} token, code, verifier, state or client secret in the logs of a connect, refresh and disconnect`, async () => {
    logs.clear();
    const { user, browser } = await signedIn();
    const authorizeUrl = new URL(await startConnect(browser, slug));
    const callbackUrl = new URL(await driver.consent(authorizeUrl.toString()));
    await followCallback(browser, callbackUrl.toString(), slug);
    const [row] = await rowsOf(user.id);
    const { refresher } = await getAppServices();
    await refresher.refresh(row!.id, { force: true });
    const [refreshed] = await rowsOf(user.id);
    const cipher = getTokenCipher();
    const secrets = [
      cipher.decrypt(row!.accessToken, tokenAad(row!.id, "access_token")),
      cipher.decrypt(row!.refreshToken!, tokenAad(row!.id, "refresh_token")),
      cipher.decrypt(refreshed!.accessToken, tokenAad(row!.id, "access_token")),
      callbackUrl.searchParams.get("code")!,
      authorizeUrl.searchParams.get("state")!,
      driver.clientSecret(),
    ];
    await disconnectRoute(post(browser, `${APP_URL}/api/oauth/${slug}/disconnect`, { accountId: row!.id }), slug);
    // The run was logged at all (connect, refresh, disconnect), and none of it is in there.
    expect(logs.events()).toEqual(expect.arrayContaining(["oauth.connected"]));
    const text = logs.text();
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(text.includes(secret), `a ${slug} secret is in the logs`).toBe(false);
    }
  });
});
