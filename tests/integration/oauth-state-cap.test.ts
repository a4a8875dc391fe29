import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import type { DatabaseHandle } from "@/lib/db/client";
import { oauthStates } from "@/lib/db/schema";
import { sha256Hex } from "@/lib/connections/pkce";
import { insertState, MAX_OPEN_STATES, STATE_TTL_MS } from "@/lib/connections/state-store";
import { decideAtSandbox, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { followCallback, startConnect } from "../helpers/connect-flow";
import { bindingOf, clearAccounts, counterMark, directOAuthService, stateOf, stateRowsOf, openSecondPool } from "../helpers/security-kit";
import { usingRealPostgres } from "../helpers/test-db";

/**
 * Connect pressed in a loop (issue #11, finding 3): each authorize stores a state row, so the
 * open ones are capped per user and provider, the oldest going first.
 */
describe(`authorize: open OAuth states capped per user (${usingRealPostgres ? "PostgreSQL" : "PGlite"})`, { timeout: 60_000 }, () => {
  let h: AppHarness;
  /** A second connection pool on the same database: another instance, as far as the database can tell. */
  let other: DatabaseHandle | undefined;
  beforeAll(async () => {
    h = await startAppHarness();
    other = await openSecondPool(h, 10);
  }, 120_000);
  afterAll(async () => {
    await other?.close();
    await h?.close();
  });
  afterEach(async () => {
    h.install();
    await clearAccounts(h.db);
  });

  const errorOf = (result: Awaited<ReturnType<typeof followCallback>>) => result.location?.searchParams.get("error") ?? null;

  it("S52: 50 authorizes by one user leave the newest N states; those still complete, the older ones are refused as invalid_state", async () => {
    expect(MAX_OPEN_STATES).toBeGreaterThanOrEqual(3);
    expect(MAX_OPEN_STATES).toBeLessThan(50);
    const alice = await h.signUp();
    const bob = await h.signUp();
    const bobs = new TestBrowser(bob.cookie);
    for (let i = 0; i < 3; i++) await startConnect(bobs);

    const browser = new TestBrowser(alice.cookie);
    const urls: string[] = [];
    for (let i = 0; i < 50; i++) urls.push(await startConnect(browser));

    const rows = await stateRowsOf(h.db, alice.id);
    expect(rows).toHaveLength(MAX_OPEN_STATES);
    const kept = urls.slice(-MAX_OPEN_STATES);
    expect(rows.map((r) => r.stateHash).sort()).toEqual(kept.map((u) => sha256Hex(stateOf(u))).sort());
    // Another user's flows are theirs: untouched.
    expect(await stateRowsOf(h.db, bob.id)).toHaveLength(3);

    const mark = counterMark(h);
    for (const evicted of [urls[0]!, urls[49 - MAX_OPEN_STATES]!]) {
      const back = await decideAtSandbox(evicted);
      expect(errorOf(await followCallback(browser, back))).toBe("invalid_state");
    }
    expect(mark.codeExchanges()).toBe(0);

    // The newest N: each completes (the first connects, the rest reconnect the same TikTok account).
    for (const url of kept) {
      const back = await decideAtSandbox(url, { openId: "sbx-ava-0001" });
      const done = await followCallback(browser, back);
      expect(done.location?.searchParams.get("success")).toBe("tiktok");
    }
    expect(mark.codeExchanges()).toBe(MAX_OPEN_STATES);
    expect(await stateRowsOf(h.db, alice.id)).toHaveLength(0);
  });

  it("S52: concurrent authorizes on two instances (two connection pools) never leave more than N open states", async () => {
    const alice = await h.signUp();
    const browser = new TestBrowser(alice.cookie);
    await startConnect(browser); // the browser's binding cookie, as after a first Connect
    const binding = bindingOf(browser)!;
    const second = directOAuthService(h, { db: other?.db ?? h.db });
    await Promise.all([
      ...Array.from({ length: 20 }, () => startConnect(browser)),
      ...Array.from({ length: 20 }, () => second.initiateOAuth(alice.id, binding)),
    ]);
    expect((await stateRowsOf(h.db, alice.id)).length).toBeLessThanOrEqual(MAX_OPEN_STATES);
  });

  it("S52: expired states are removed by the next authorize, whoever's they are", async () => {
    const alice = await h.signUp();
    const bob = await h.signUp();
    const old = new Date(Date.now() - STATE_TTL_MS - 1_000);
    const id = randomUUID();
    await insertState(h.db, {
      id,
      state: `abandoned-${id}`,
      provider: "TIKTOK",
      userId: bob.id,
      encryptedVerifier: getTokenCipher().encrypt("v".repeat(43), { table: "oauth_states", rowId: id, field: "code_verifier" }),
      browserBinding: "binding",
      returnTo: "/settings/accounts",
      now: old,
    });
    expect(await stateRowsOf(h.db, bob.id)).toHaveLength(1);
    await startConnect(new TestBrowser(alice.cookie));
    expect(await stateRowsOf(h.db, bob.id)).toHaveLength(0);
    expect(await h.db.select().from(oauthStates)).toHaveLength(1);
  });
});
