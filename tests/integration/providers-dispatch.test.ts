/**
 * Issue #12: the refresher, the sweeper and the disconnect reach each row's OWN provider, found
 * by the row's platform in the registry. Before, one TikTok service refreshed every claimed row,
 * so a second network's accounts would have been refreshed (and revoked) at TikTok.
 * A fake second provider stands in for YouTube: it does not rotate refresh tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { socialAccounts } from "@/lib/db/schema";
import { saveConnection } from "@/lib/connections/account-store";
import { TokenRefresher } from "@/lib/connections/token-refresher";
import { RefreshSweeper } from "@/lib/connections/refresh-sweeper";
import { AccountService } from "@/lib/connections/account-service";
import { OAuthProviderError } from "@/lib/connections/errors";
import type { ConnectionProvider } from "@/lib/connections/provider";
import type { OAuthTokens } from "@/lib/connections/types";
import { startAppHarness, type AppHarness } from "../helpers/app-harness";
import { accountRow, counterMark, directOAuthService, registryOf, seedAccount, storedTokens } from "../helpers/security-kit";
import { usingRealPostgres } from "../helpers/test-db";

/** A second network: refresh tokens stay (Google's rule), every call recorded. */
function fakeSecondProvider() {
  const calls = { refresh: [] as string[], revoke: [] as string[] };
  let grantEnded = false;
  const provider: ConnectionProvider = {
    platform: "YOUTUBE",
    slug: "second",
    displayName: "Second",
    scopes: ["read"],
    scopeSeparator: " ",
    callbackScopeParam: "scope",
    rotatesRefreshTokens: false,
    pkceEncoding: "base64url",
    scopeLabels: {},
    capabilityScopes: {},
    authorizationUrl: () => "https://second.example/auth",
    exchangeCode: () => Promise.reject(new Error("not used")),
    fetchProfile: () => Promise.reject(new Error("not used")),
    async refresh(refreshToken): Promise<OAuthTokens> {
      calls.refresh.push(refreshToken);
      if (grantEnded) throw new OAuthProviderError("invalid_grant", 400);
      // No refresh_token in the answer, as Google answers a refresh.
      return { accessToken: `second-access-${calls.refresh.length}`, refreshToken: undefined, expiresIn: 3599, refreshExpiresIn: undefined, scopes: undefined, providerUserId: undefined };
    },
    async revoke({ accessToken }) {
      calls.revoke.push(accessToken);
    },
    mapCallbackError: () => "provider_error",
    isInvalidGrant: (e) => e instanceof OAuthProviderError && e.error === "invalid_grant",
    isTransient: () => false,
  };
  return { provider, calls, endGrant: () => (grantEnded = true) };
}

describe(`providers: every row is refreshed and revoked by its own provider (${usingRealPostgres ? "PostgreSQL" : "PGlite"})`, { timeout: 60_000 }, () => {
  let h: AppHarness;
  let userId: string;
  beforeAll(async () => {
    h = await startAppHarness();
    userId = (await h.signUp("dispatch")).id;
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  async function seedSecond(tag: string) {
    const id = `UC${randomBytes(8).toString("hex")}`;
    return saveConnection(h.db, getTokenCipher(), {
      userId,
      platform: "YOUTUBE",
      tokens: { accessToken: `second-access-0-${tag}`, refreshToken: `second-refresh-${tag}`, expiresIn: 3599, refreshExpiresIn: undefined, scopes: ["read"], providerUserId: undefined },
      profile: { providerUserId: id, unionId: undefined, displayName: `Channel ${tag}`, avatarUrl: undefined },
      scopes: ["read"],
      now: new Date(),
    });
  }

  it("the sweeper refreshes a TikTok row at TikTok and the second network's row at its provider; a refresh answer without a refresh token keeps the stored one", async () => {
    const second = fakeSecondProvider();
    const providers = registryOf(directOAuthService(h).provider, second.provider);
    const refresher = new TokenRefresher({ db: h.db, cipher: getTokenCipher(), providers });
    const tiktok = await seedAccount(h, userId, `dispatch-${randomBytes(4).toString("hex")}`);
    const other = await seedSecond("a");
    const past = new Date(Date.now() - 1000);
    for (const id of [tiktok.id, other.id]) await h.db.update(socialAccounts).set({ nextRefreshAt: past }).where(eq(socialAccounts.id, id));

    const mark = counterMark(h);
    const sweeper = new RefreshSweeper({ db: h.db, refresher, batchSize: 10 });
    const result = await sweeper.sweepOnce();
    expect(result.outcomes.refreshed).toBeGreaterThanOrEqual(2);
    // TikTok's endpoint saw exactly its own row; the second provider saw its own refresh token only.
    expect(mark.refreshes()).toBe(1);
    expect(second.calls.refresh).toEqual(["second-refresh-a"]);
    expect(await storedTokens(h.db, other.id)).toEqual({ accessToken: "second-access-1", refreshToken: "second-refresh-a" });
    expect((await accountRow(h.db, other.id))!.status).toBe("ACTIVE");
  });

  it("a forced refresh and a disconnect of the second network's account never reach TikTok", async () => {
    const second = fakeSecondProvider();
    const providers = registryOf(directOAuthService(h).provider, second.provider);
    const refresher = new TokenRefresher({ db: h.db, cipher: getTokenCipher(), providers });
    const accounts = new AccountService({ db: h.db, cipher: getTokenCipher(), providers, refresher });
    const other = await seedSecond("b");
    const mark = counterMark(h);
    expect((await refresher.refresh(other.id, { force: true })).status).toBe("refreshed");
    // Scoped to the route's provider: TikTok's routes do not find it.
    expect(await accounts.disconnectForUser(userId, other.id, "TIKTOK")).toEqual({ ok: false, error: "not_found" });
    expect(await accounts.disconnectForUser(userId, other.id, "YOUTUBE")).toMatchObject({ ok: true, revoked: true });
    expect(second.calls.revoke).toEqual(["second-access-1"]);
    expect(mark.token()).toBe(0);
    expect(mark.revoke()).toBe(0);
  });

  it("invalid_grant from the second provider ends that account only (EXPIRED), with no call to TikTok", async () => {
    const second = fakeSecondProvider();
    const providers = registryOf(directOAuthService(h).provider, second.provider);
    const refresher = new TokenRefresher({ db: h.db, cipher: getTokenCipher(), providers });
    const other = await seedSecond("c");
    second.endGrant();
    const mark = counterMark(h);
    expect((await refresher.refresh(other.id, { force: true })).status).toBe("expired");
    expect((await accountRow(h.db, other.id))!.status).toBe("EXPIRED");
    expect(mark.token()).toBe(0);
  });
});
