import { ProviderRequestError } from "@/lib/connections/errors";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { createManualClock } from "@/lib/clock";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import type { Database, DatabaseHandle } from "@/lib/db/client";
import { socialAccounts } from "@/lib/db/schema";
import { eq } from "drizzle-orm";
import { tokenAad } from "@/lib/connections/account-store";
import type { ConnectionService } from "@/lib/connections/connection-service";
import { TokenRefresher, type TokenRefresherDeps } from "@/lib/connections/token-refresher";
import type { OAuthTokens } from "@/lib/connections/types";
import { startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { usingRealPostgres } from "../helpers/test-db";
import {
  fakeProvider,
  registryOf,
  type FakeTokenCalls,
  accountRow,
  counterMark,
  directOAuthService,
  eventKinds,
  letRefreshMinutePass,
  postDisconnect,
  postRefresh,
  seedAccount,
  storedTokens,
  openSecondPool,
} from "../helpers/security-kit";

type SignedUp = Awaited<ReturnType<AppHarness["signUp"]>>;

describe(`refresh: single flight and failure handling (${usingRealPostgres ? "PostgreSQL" : "PGlite"})`, { timeout: 60_000 }, () => {
  let h: AppHarness;
  let alice: SignedUp;
  /** A second connection pool on the same database: another process, as far as the database can tell. */
  let other: DatabaseHandle | undefined;
  beforeAll(async () => {
    h = await startAppHarness();
    alice = await h.signUp("alice");
    other = await openSecondPool(h);
  }, 120_000);
  afterAll(async () => {
    await other?.close();
    await h?.close();
  });
  afterEach(() => {
    h.sandbox.control.clearFaults();
    h.install();
  });

  const uniqueOpenId = (tag: string) => `${tag}-${randomBytes(4).toString("hex")}`;
  const oauthFor = (deps: { db?: Database; timeoutMs?: number } = {}): ConnectionService =>
    directOAuthService(h, { db: deps.db ?? h.db, timeoutMs: deps.timeoutMs ?? 5_000 });
  const refresherFor = ({ oauth, ...deps }: Partial<TokenRefresherDeps> & { oauth?: FakeTokenCalls | ConnectionService } = {}) =>
    new TokenRefresher({ db: h.db, cipher: getTokenCipher(), providers: registryOf(fakeProvider(oauthFor({ db: deps.db }).provider, oauth)), ...deps });

  async function waitFor(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  describe("S30: single flight", () => {
    it("S30: in one process, N concurrent forced refreshes → one token call; all see the new expiry; the rotated token is stored", async () => {
      const account = await seedAccount(h, alice.id, uniqueOpenId("s30a"));
      const before = await accountRow(h.db, account.id);
      const refresher = refresherFor();
      const mark = counterMark(h);
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => refresher.refresh(account.id, { force: true })));
      expect(mark.refreshes()).toBe(1);

      const after = await accountRow(h.db, account.id);
      expect(after!.tokenExpiry.getTime()).toBeGreaterThan(before!.tokenExpiry.getTime());
      for (const outcome of outcomes) expect(outcome).toEqual({ status: "refreshed", tokenExpiry: after!.tokenExpiry });

      const stored = await storedTokens(h.db, account.id);
      expect(stored.refreshToken).not.toBe(account.refreshToken);
      expect(h.sandbox.control.tokenState(stored.refreshToken!)).toBe("valid");
      expect(h.sandbox.control.tokenState(account.refreshToken)).toBe("rotated");
      expect(h.sandbox.control.accessTokenState(stored.accessToken)).toBe("valid");
      expect(after!.refreshLeaseId).toBeNull();
      expect(await eventKinds(h.db, account.id)).toEqual(["connected", "refreshed"]);
    });

    it("S30: across processes (separate refreshers, separate connections), concurrent forced refreshes → one token call", async () => {
      const account = await seedAccount(h, alice.id, uniqueOpenId("s30b"));
      // TikTok takes a while to answer, so every refresher is genuinely waiting at the same time.
      h.sandbox.control.queueFault("token", { kind: "delay", ms: 400 });
      const processes = [
        refresherFor(),
        refresherFor({ db: other?.db ?? h.db }),
        refresherFor(),
        refresherFor({ db: other?.db ?? h.db }),
      ];
      const mark = counterMark(h);
      const outcomes = await Promise.all(processes.flatMap((p) => [p.refresh(account.id, { force: true }), p.refresh(account.id, { force: true })]));
      expect(mark.refreshes()).toBe(1);

      const after = await accountRow(h.db, account.id);
      // One process refreshed (both of its callers share that promise); the others saw its result.
      expect(outcomes.filter((o) => o.status === "refreshed")).toHaveLength(2);
      expect(outcomes.filter((o) => o.status === "fresh")).toHaveLength(6);
      for (const outcome of outcomes) expect(outcome).toMatchObject({ tokenExpiry: after!.tokenExpiry });

      const stored = await storedTokens(h.db, account.id);
      expect(h.sandbox.control.tokenState(stored.refreshToken!)).toBe("valid");
      expect(h.sandbox.control.tokenState(account.refreshToken)).toBe("rotated");
      expect(after!.refreshLeaseId).toBeNull();
      expect(after!.status).toBe("ACTIVE");
    });
  });

  describe("S30/S32: a failed refresh is shared, not repeated", () => {
    it("S30: callers waiting on another process's refresh share its transient failure and backoff — no second token call", async () => {
      const account = await seedAccount(h, alice.id, uniqueOpenId("s30c"));
      // The lease holder's TikTok answers slowly, then with a 503.
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let holderCalls = 0;
      const failingOAuth = {
        refreshAccessToken: async () => {
          holderCalls++;
          await gate;
          throw new ProviderRequestError("http_status", 503);
        },
        revokeQuietly: async () => true,
      };
      const holder = refresherFor({ oauth: failingOAuth });
      const holderOutcome = holder.refresh(account.id, { force: true });
      await waitFor(() => holderCalls === 1, "the lease holder's token call");
      // These go to the sandbox if they call TikTok at all.
      const mark = counterMark(h);
      const waiting = [refresherFor({ db: other?.db ?? h.db }), refresherFor()].map((r) => r.refresh(account.id, { force: true }));
      await new Promise((r) => setTimeout(r, 300));
      release();
      const outcomes = [await holderOutcome, ...(await Promise.all(waiting))];

      const after = await accountRow(h.db, account.id);
      expect(after!.refreshFailures).toBe(1);
      expect(after!.status).toBe("ACTIVE");
      expect(mark.refreshes()).toBe(0);
      for (const outcome of outcomes) expect(outcome).toEqual({ status: "failed", transient: true, retryAt: after!.nextRefreshAt });
    });
  });

  describe("S31: invalid_grant", () => {
    it("S31: invalid_grant after another worker already rotated the token → re-read, no EXPIRED", async () => {
      const account = await seedAccount(h, alice.id, uniqueOpenId("s31a"));
      const real = oauthFor();
      const cipher = getTokenCipher();
      let winner: OAuthTokens | undefined;
      const loser = refresherFor({
        oauth: {
          revokeQuietly: (token: string) => real.revokeQuietly({ accessToken: token }, "test"),
          refreshAccessToken: async (refreshToken) => {
            // Meanwhile another worker (whose lease outlived ours) refreshed and stored the new pair…
            winner = await real.provider.refresh(refreshToken);
            await h.db
              .update(socialAccounts)
              .set({
                accessToken: cipher.encrypt(winner.accessToken, tokenAad(account.id, "access_token")),
                refreshToken: cipher.encrypt(winner.refreshToken!, tokenAad(account.id, "refresh_token")),
                lastRefreshedAt: new Date(),
              })
              .where(eq(socialAccounts.id, account.id));
            // …so TikTok answers our now-stale refresh token with a genuine invalid_grant.
            return real.provider.refresh(refreshToken);
          },
        },
      });
      const mark = counterMark(h);
      const outcome = await loser.refresh(account.id, { force: true });
      expect(mark.refreshes()).toBe(2);
      expect(outcome.status).toBe("fresh");

      const row = await accountRow(h.db, account.id);
      expect(row).toMatchObject({ status: "ACTIVE", statusReason: null, refreshLeaseId: null });
      expect(row!.nextRefreshAt).not.toBeNull();
      expect((await storedTokens(h.db, account.id)).refreshToken).toBe(winner!.refreshToken);
      expect(h.sandbox.control.tokenState(winner!.refreshToken!)).toBe("valid");
      expect(await eventKinds(h.db, account.id)).not.toContain("expired");
    });

    it("S31: invalid_grant with nobody else having refreshed → EXPIRED, reason recorded, no longer scheduled, shown as reconnect", async () => {
      const openId = uniqueOpenId("s31b");
      const account = await seedAccount(h, alice.id, openId);
      h.sandbox.control.revokeGrant(openId); // the user removed the app at TikTok
      const refresher = refresherFor();
      const mark = counterMark(h);
      expect(await refresher.refresh(account.id, { force: true })).toEqual({ status: "expired" });
      expect(mark.refreshes()).toBe(1);

      const row = await accountRow(h.db, account.id);
      expect(row).toMatchObject({ status: "EXPIRED", statusReason: "refresh_token_invalid", nextRefreshAt: null, refreshLeaseId: null });
      expect(await eventKinds(h.db, account.id)).toEqual(["connected", "expired"]);

      // Stopped: neither the scheduler nor the button calls TikTok again.
      expect(await refresher.refresh(account.id)).toEqual({ status: "expired" });
      expect(await refresher.refresh(account.id, { force: true })).toEqual({ status: "expired" });
      const route = await postRefresh(new TestBrowser(alice.cookie), account.id);
      expect(route.status).toBe(409);
      expect(route.body).toMatchObject({ code: "reconnect_required" });
      expect(mark.refreshes()).toBe(1);
    });

    it("S31: invalid_grant answered with HTTP 200 is handled the same way", async () => {
      const account = await seedAccount(h, alice.id, uniqueOpenId("s31c"));
      h.sandbox.control.queueFault("token", { kind: "oauth_error", error: "invalid_grant", status: 200 });
      expect(await refresherFor().refresh(account.id, { force: true })).toEqual({ status: "expired" });
      expect(await accountRow(h.db, account.id)).toMatchObject({ status: "EXPIRED", statusReason: "refresh_token_invalid", nextRefreshAt: null });
    });
  });

  describe("S32: transient failures", () => {
    it.each([
      { label: "500", fault: { kind: "status" as const, status: 500 } },
      { label: "503", fault: { kind: "status" as const, status: 503 } },
      { label: "429", fault: { kind: "status" as const, status: 429, retryAfterSec: 30 } },
      { label: "a hang (timeout)", fault: { kind: "hang" as const } },
    ])("S32: refresh answered $label → tokens kept, failure recorded, backoff, still ACTIVE", async ({ fault }) => {
      const account = await seedAccount(h, alice.id, uniqueOpenId("s32"));
      const before = await accountRow(h.db, account.id);
      const clock = createManualClock(new Date());
      const refresher = refresherFor({ clock, random: () => 1, oauth: oauthFor({ timeoutMs: 300 }) });
      h.sandbox.control.queueFault("token", fault);
      const outcome = await refresher.refresh(account.id, { force: true });
      expect(outcome).toEqual({ status: "failed", transient: true, retryAt: new Date(clock.now().getTime() + 30_000) });

      const row = await accountRow(h.db, account.id);
      expect(row).toMatchObject({
        status: "ACTIVE",
        statusReason: "provider_unreachable",
        refreshFailures: 1,
        accessToken: before!.accessToken,
        refreshToken: before!.refreshToken,
        tokenExpiry: before!.tokenExpiry,
        refreshLeaseId: null,
      });
      expect(row!.nextRefreshAt).toEqual(new Date(clock.now().getTime() + 30_000));
      expect(h.sandbox.control.tokenState(account.refreshToken)).toBe("valid");
      expect(await eventKinds(h.db, account.id)).toEqual(["connected", "refresh_failed"]);
    });

    it.each([500, 503, 429])("S74: refresh answered HTTP %i with an invalid_grant body is TikTok's trouble, not the end of access: tokens kept, failure recorded as transient, still ACTIVE", async (status) => {
      const account = await seedAccount(h, alice.id, uniqueOpenId("s74"));
      const before = await accountRow(h.db, account.id);
      h.sandbox.control.queueFault("token", { kind: "oauth_error", error: "invalid_grant", status });
      const outcome = await refresherFor().refresh(account.id, { force: true });
      expect(outcome).toMatchObject({ status: "failed", transient: true });
      expect(await accountRow(h.db, account.id)).toMatchObject({
        status: "ACTIVE",
        statusReason: "provider_unreachable",
        refreshFailures: 1,
        accessToken: before!.accessToken,
        refreshToken: before!.refreshToken,
        refreshLeaseId: null,
      });
      expect(h.sandbox.control.tokenState(account.refreshToken)).toBe("valid");
      expect(await eventKinds(h.db, account.id)).toEqual(["connected", "refresh_failed"]);
    });

    it("S32: repeated failures back off exponentially; once due again the refresh succeeds and clears the failures", async () => {
      const account = await seedAccount(h, alice.id, uniqueOpenId("s32b"));
      const clock = createManualClock(new Date());
      const refresher = refresherFor({ clock, random: () => 1 });
      h.sandbox.control.queueFault("token", { kind: "status", status: 503 }, 3);
      const delays: number[] = [];
      for (let i = 0; i < 3; i++) {
        const outcome = await refresher.refresh(account.id, { force: true });
        expect(outcome.status).toBe("failed");
        const row = await accountRow(h.db, account.id);
        expect(row!.refreshFailures).toBe(i + 1);
        expect(row!.status).toBe("ACTIVE");
        delays.push(row!.nextRefreshAt!.getTime() - clock.now().getTime());
      }
      expect(delays).toEqual([30_000, 60_000, 120_000]);

      // Not due yet: the scheduler's (unforced) refresh does not call TikTok.
      const mark = counterMark(h);
      expect((await refresher.refresh(account.id)).status).toBe("fresh");
      expect(mark.refreshes()).toBe(0);
      clock.advance(120_001);
      expect((await refresher.refresh(account.id)).status).toBe("refreshed");
      expect(mark.refreshes()).toBe(1);
      expect(await accountRow(h.db, account.id)).toMatchObject({ status: "ACTIVE", statusReason: null, refreshFailures: 0 });
    });
  });

  describe("S33: rotation", () => {
    function fakeOAuth(tokens: OAuthTokens) {
      const revoked: string[] = [];
      return { revoked, oauth: { refreshAccessToken: async () => tokens, revokeQuietly: async (t: string) => (revoked.push(t), true) } };
    }

    it("S33: a refresh response without refresh_token keeps the old one", async () => {
      const account = await seedAccount(h, alice.id, uniqueOpenId("s33a"));
      const before = await accountRow(h.db, account.id);
      const clock = createManualClock(new Date());
      const { oauth } = fakeOAuth({
        accessToken: "act.no-rotation!0001.va",
        refreshToken: undefined,
        expiresIn: 7_200,
        refreshExpiresIn: undefined,
        scopes: undefined,
        providerUserId: undefined,
      });
      expect((await refresherFor({ oauth, clock }).refresh(account.id, { force: true })).status).toBe("refreshed");
      const row = await accountRow(h.db, account.id);
      expect(row!.refreshToken).toBe(before!.refreshToken);
      expect(row!.refreshTokenExpiry).toEqual(before!.refreshTokenExpiry);
      expect(row!.scopes).toEqual(before!.scopes);
      expect(row!.tokenExpiry).toEqual(new Date(clock.now().getTime() + 7_200_000));
      expect(row!.nextRefreshAt).toEqual(new Date(clock.now().getTime() + 5_760_000)); // 80 % of 2 h
      expect(await storedTokens(h.db, account.id)).toEqual({ accessToken: "act.no-rotation!0001.va", refreshToken: account.refreshToken });
    });

    it("S33: a refresh response with a refresh_token stores both tokens together", async () => {
      const account = await seedAccount(h, alice.id, uniqueOpenId("s33b"));
      const clock = createManualClock(new Date());
      const { oauth } = fakeOAuth({
        accessToken: "act.rotated!0002.va",
        refreshToken: "rft.rotated!0002.va",
        expiresIn: 86_400,
        refreshExpiresIn: 1_000,
        scopes: ["user.info.basic"],
        providerUserId: undefined,
      });
      expect((await refresherFor({ oauth, clock }).refresh(account.id, { force: true })).status).toBe("refreshed");
      expect(await storedTokens(h.db, account.id)).toEqual({ accessToken: "act.rotated!0002.va", refreshToken: "rft.rotated!0002.va" });
      const row = await accountRow(h.db, account.id);
      expect(row).toMatchObject({
        refreshTokenExpiry: new Date(clock.now().getTime() + 1_000_000),
        tokenExpiry: new Date(clock.now().getTime() + 86_400_000),
        scopes: ["user.info.basic"],
        refreshLeaseId: null,
        refreshFailures: 0,
      });
    });

    it("S33: through TikTok (the sandbox), each refresh stores the newly rotated pair", async () => {
      const account = await seedAccount(h, alice.id, uniqueOpenId("s33c"));
      const refresher = refresherFor();
      const seen = [account.refreshToken];
      for (let i = 0; i < 3; i++) {
        expect((await refresher.refresh(account.id, { force: true })).status).toBe("refreshed");
        const { refreshToken } = await storedTokens(h.db, account.id);
        expect(seen).not.toContain(refreshToken);
        expect(h.sandbox.control.tokenState(refreshToken!)).toBe("valid");
        seen.push(refreshToken!);
      }
      for (const old of seen.slice(0, -1)) expect(h.sandbox.control.tokenState(old)).toBe("rotated");
    });
  });

  describe("S34: disconnect during a refresh", () => {
    it("S34: a disconnect while the token call is in flight → the row stays deleted (through the routes)", async () => {
      const account = await seedAccount(h, alice.id, uniqueOpenId("s34a"));
      await letRefreshMinutePass(h.db, account.id);
      const browser = new TestBrowser(alice.cookie);
      h.sandbox.control.queueFault("token", { kind: "delay", ms: 500 });
      const mark = counterMark(h);
      const refreshing = postRefresh(browser, account.id);
      await waitFor(() => mark.refreshes() === 1, "the refresh to reach TikTok");
      const disconnected = await postDisconnect(browser, account.id);
      expect(disconnected.status).toBe(200);
      expect(disconnected.body).toMatchObject({ success: true, alreadyDisconnected: false });
      const refreshed = await refreshing;
      expect(refreshed.status).toBe(404);
      expect(await accountRow(h.db, account.id)).toBeUndefined();
      await new Promise((r) => setTimeout(r, 100));
      expect(await accountRow(h.db, account.id)).toBeUndefined();
      expect(await eventKinds(h.db, account.id)).toEqual(["connected", "disconnected"]);
    });

    it("S34: TikTok answered the refresh just after the disconnect → not stored, and the fresh token is revoked", async () => {
      const account = await seedAccount(h, alice.id, uniqueOpenId("s34b"));
      const real = oauthFor();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let fresh: OAuthTokens | undefined;
      const revoked: { token: string; reason: string }[] = [];
      const refresher = refresherFor({
        oauth: {
          refreshAccessToken: async (refreshToken) => {
            fresh = await real.provider.refresh(refreshToken);
            await gate; // the response is on its way back while the user disconnects
            return fresh;
          },
          revokeQuietly: async (token: string, reason: string) => {
            revoked.push({ token, reason });
            return real.revokeQuietly({ accessToken: token }, reason);
          },
        },
      });
      const refreshing = refresher.refresh(account.id, { force: true });
      await waitFor(() => fresh !== undefined, "TikTok to issue the new tokens");
      expect((await postDisconnect(new TestBrowser(alice.cookie), account.id)).status).toBe(200);
      release();
      expect(await refreshing).toEqual({ status: "not_found" });

      expect(await accountRow(h.db, account.id)).toBeUndefined();
      expect(revoked).toEqual([{ token: fresh!.accessToken, reason: "revoke" }]); // the core revoked it (logged as refresh_not_stored)
      expect(h.sandbox.control.accessTokenState(fresh!.accessToken)).toBe("revoked");
      expect(h.sandbox.control.tokenState(fresh!.refreshToken!)).toBe("revoked");
      expect(await eventKinds(h.db, account.id)).toEqual(["connected", "disconnected"]);
    });
  });
});
