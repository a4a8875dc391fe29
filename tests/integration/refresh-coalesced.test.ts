import { fakeProvider, registryOf, openSecondPool } from "../helpers/security-kit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { createManualClock } from "@/lib/clock";
import { AccountService, type RefreshResult } from "@/lib/connections/account-service";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import type { Database, DatabaseHandle } from "@/lib/db/client";
import { ProviderRequestError } from "@/lib/connections/errors";
import { TokenRefresher } from "@/lib/connections/token-refresher";
import type { OAuthTokens } from "@/lib/connections/types";
import { getAppServices } from "@/lib/services";
import { setProcessSingleton } from "@/lib/process-registry";
import { startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { usingRealPostgres } from "../helpers/test-db";
import { accountRow, counterMark, directOAuthService, eventKinds, postRefresh, seedAccount } from "../helpers/security-kit";

type SignedUp = Awaited<ReturnType<AppHarness["signUp"]>>;
type ManualClock = ReturnType<typeof createManualClock>;
type FakeOAuth = { refreshAccessToken(refreshToken: string): Promise<OAuthTokens>; revokeQuietly(token: string, reason: string): Promise<boolean> };

const MINUTE = 60_000;

/**
 * The Refresh button against a hammering user (issue #11, finding 3): whatever the number of
 * requests, tabs or app instances, the route makes at most one token call per account a minute.
 */
describe(`manual refresh: one token call per account a minute (${usingRealPostgres ? "PostgreSQL" : "PGlite"})`, { timeout: 60_000 }, () => {
  let h: AppHarness;
  let alice: SignedUp;
  let bob: SignedUp;
  /** A second connection pool on the same database: another instance, as far as the database can tell. */
  let other: DatabaseHandle | undefined;
  beforeAll(async () => {
    h = await startAppHarness();
    alice = await h.signUp("alice");
    bob = await h.signUp("bob");
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

  /** One app instance's services: its own refresher (and single-flight map), its own clock and pool. */
  function instance(clock: ManualClock, options: { db?: Database; oauth?: FakeOAuth } = {}) {
    const db = options.db ?? h.db;
    const cipher = getTokenCipher();
    const real = directOAuthService(h, { db, clock, timeoutMs: 5_000 });
    const providers = registryOf(fakeProvider(real.provider, options.oauth));
    const refresher = new TokenRefresher({ db, cipher, providers, clock });
    const accounts = new AccountService({ db, cipher, providers, refresher, clock });
    return { refresher, accounts };
  }

  /** Makes the route handlers use this instance's services. */
  async function serveWith(services: ReturnType<typeof instance>) {
    const real = await getAppServices();
    setProcessSingleton("services", Promise.resolve({ ...real, ...services }));
  }

  /** An account connected a while ago (its last token call more than a minute behind the clock). */
  async function settledAccount(tag: string, clock: ManualClock) {
    const account = await seedAccount(h, alice.id, uniqueOpenId(tag));
    clock.set(new Date(Date.now() + MINUTE + 1_000));
    return account;
  }

  async function waitFor(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const count = (kinds: string[], kind: string) => kinds.filter((k) => k === kind).length;

  describe("S50: within one instance", () => {
    it("S50: 20 concurrent then 20 sequential Refresh requests → one token call, one `refreshed` event, every answer 200 with the stored expiry; a minute later one more", async () => {
      const clock = createManualClock(new Date());
      await serveWith(instance(clock));
      const account = await settledAccount("s50a", clock);
      const browser = new TestBrowser(alice.cookie);
      const mark = counterMark(h);
      // TikTok answers slowly, so the 20 requests are genuinely in flight together.
      h.sandbox.control.queueFault("token", { kind: "delay", ms: 300 });

      const burst = await Promise.all(Array.from({ length: 20 }, () => postRefresh(browser, account.id)));
      expect(mark.refreshes()).toBe(1);
      const refreshed = (await accountRow(h.db, account.id))!;
      for (const answer of burst) {
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ success: true, tokenExpiry: refreshed.tokenExpiry.toISOString() });
      }

      for (let i = 0; i < 20; i++) {
        clock.advance(1_000);
        const answer = await postRefresh(browser, account.id);
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ success: true, tokenExpiry: refreshed.tokenExpiry.toISOString() });
      }
      expect(mark.refreshes()).toBe(1);
      expect(await eventKinds(h.db, account.id)).toEqual(["connected", "refreshed"]);

      // Another user's request neither reaches TikTok nor spends the owner's minute.
      expect((await postRefresh(new TestBrowser(bob.cookie), account.id)).status).toBe(404);

      // A minute after that refresh: one more token call, however many ask for it.
      clock.advance(MINUTE - 20_000 + 1);
      const next = await Promise.all(Array.from({ length: 20 }, () => postRefresh(browser, account.id)));
      expect(mark.refreshes()).toBe(2);
      const again = (await accountRow(h.db, account.id))!;
      expect(again.tokenExpiry.getTime()).toBeGreaterThan(refreshed.tokenExpiry.getTime());
      for (const answer of next) expect(answer.body).toMatchObject({ success: true, tokenExpiry: again.tokenExpiry.toISOString() });
      expect(count(await eventKinds(h.db, account.id), "refreshed")).toBe(2);
    });

    it("S50: Refresh moments after a connect (or any refresh) answers the current expiry without calling TikTok", async () => {
      const clock = createManualClock(new Date());
      await serveWith(instance(clock));
      const account = await seedAccount(h, alice.id, uniqueOpenId("s50b"));
      const row = (await accountRow(h.db, account.id))!;
      const mark = counterMark(h);
      const answer = await postRefresh(new TestBrowser(alice.cookie), account.id);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ success: true, tokenExpiry: row.tokenExpiry.toISOString() });
      expect(mark.token()).toBe(0);
      expect(await eventKinds(h.db, account.id)).toEqual(["connected"]);
      expect((await accountRow(h.db, account.id))!.manualRefreshAt).toBeNull();
    });

    it("S50: after the minute's token call failed, further requests get 429 refresh_throttled with Retry-After and no token call; the next minute tries once more", async () => {
      const clock = createManualClock(new Date());
      await serveWith(instance(clock));
      const account = await settledAccount("s50c", clock);
      const browser = new TestBrowser(alice.cookie);
      const mark = counterMark(h);
      h.sandbox.control.queueFault("token", { kind: "status", status: 503 });

      const burst = await Promise.all(Array.from({ length: 5 }, () => postRefresh(browser, account.id)));
      expect(mark.refreshes()).toBe(1);
      expect(burst.filter((a) => a.status === 500)).toHaveLength(1);
      for (const answer of burst.filter((a) => a.status !== 500)) {
        expect(answer.status).toBe(429);
        expect(answer.body).toMatchObject({ code: "refresh_throttled" });
      }

      clock.advance(20_000);
      for (let i = 0; i < 5; i++) {
        const answer = await postRefresh(browser, account.id);
        expect(answer.status).toBe(429);
        expect(answer.body.code).toBe("refresh_throttled");
        expect(answer.body.error).toBe("A refresh was tried moments ago — try again in 40 s");
        expect(answer.response.headers.get("retry-after")).toBe("40");
        expect(answer.response.headers.get("cache-control")).toBe("no-store, no-transform");
      }
      expect(mark.refreshes()).toBe(1);
      expect(await eventKinds(h.db, account.id)).toEqual(["connected", "refresh_failed"]);

      clock.advance(40_000);
      const retried = await postRefresh(browser, account.id);
      expect(retried.status).toBe(200);
      expect(mark.refreshes()).toBe(2);
      expect(await eventKinds(h.db, account.id)).toEqual(["connected", "refresh_failed", "refreshed"]);
    });
  });

  describe("S51: across instances", () => {
    it("S51: two instances on one database (own refreshers, own pools): concurrent and alternating requests → one token call a minute, every caller sees the new expiry", async () => {
      const clock = createManualClock(new Date());
      const a = instance(clock);
      const b = instance(clock, { db: other?.db });
      const account = await settledAccount("s51a", clock);
      const mark = counterMark(h);
      h.sandbox.control.queueFault("token", { kind: "delay", ms: 400 });

      const burst = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).accounts.refreshForUser(alice.id, account.id)),
      );
      expect(mark.refreshes()).toBe(1);
      const refreshed = (await accountRow(h.db, account.id))!;
      for (const result of burst) expect(result).toEqual({ ok: true, tokenExpiry: refreshed.tokenExpiry });

      const alternating: RefreshResult[] = [];
      for (let i = 0; i < 10; i++) {
        clock.advance(1_000);
        alternating.push(await (i % 2 === 0 ? b : a).accounts.refreshForUser(alice.id, account.id));
      }
      expect(mark.refreshes()).toBe(1);
      for (const result of alternating) expect(result).toEqual({ ok: true, tokenExpiry: refreshed.tokenExpiry });
      expect(await eventKinds(h.db, account.id)).toEqual(["connected", "refreshed"]);

      clock.advance(MINUTE - 10_000 + 1);
      h.sandbox.control.queueFault("token", { kind: "delay", ms: 400 });
      const next = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? b : a).accounts.refreshForUser(alice.id, account.id)),
      );
      expect(mark.refreshes()).toBe(2);
      const again = (await accountRow(h.db, account.id))!;
      for (const result of next) expect(result).toEqual({ ok: true, tokenExpiry: again.tokenExpiry });
      expect(count(await eventKinds(h.db, account.id), "refreshed")).toBe(2);
      expect(again.refreshLeaseId).toBeNull();
    });

    it("S51: an instance that lost the minute to another instance's failing call is throttled, never sent to TikTok", async () => {
      const clock = createManualClock(new Date());
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let calls = 0;
      const a = instance(clock, {
        oauth: {
          refreshAccessToken: async () => {
            calls++;
            await gate;
            throw new ProviderRequestError("http_status", 503);
          },
          revokeQuietly: async () => true,
        },
      });
      const b = instance(clock, { db: other?.db });
      const account = await settledAccount("s51b", clock);
      const failing = a.accounts.refreshForUser(alice.id, account.id);
      await waitFor(() => calls === 1, "instance A's token call");
      const mark = counterMark(h); // instance B's calls would reach the sandbox
      const waiting = Promise.all(Array.from({ length: 4 }, () => b.accounts.refreshForUser(alice.id, account.id)));
      await new Promise((r) => setTimeout(r, 200));
      release();
      expect(await failing).toEqual({ ok: false, error: "refresh_failed" });
      for (const result of await waiting) expect(result).toEqual({ ok: false, error: "throttled", retryAfterSeconds: 60 });

      clock.advance(59_000);
      expect(await b.accounts.refreshForUser(alice.id, account.id)).toEqual({ ok: false, error: "throttled", retryAfterSeconds: 1 });
      expect(mark.refreshes()).toBe(0);
      expect(calls).toBe(1);
      expect(await eventKinds(h.db, account.id)).toEqual(["connected", "refresh_failed"]);

      clock.advance(1_000);
      expect(await b.accounts.refreshForUser(alice.id, account.id)).toMatchObject({ ok: true });
      expect(mark.refreshes()).toBe(1);
    });
  });
});
