import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { socialAccounts } from "@/lib/db/schema";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { UserBudget } from "@/lib/connections/user-budget";
import { TikTokApiClient } from "@/lib/providers/tiktok/api-client";
import { TikTokCallError } from "@/lib/providers/tiktok/call-errors";
import { getTikTokServices } from "@/lib/services";
import { startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { connectTikTok } from "../helpers/connect-flow";

/** The statements a client sends through `db` (each query builder started is one statement). */
function countingDatabase(db: Database): { db: Database; statements: () => number } {
  let statements = 0;
  const counted = new Set<PropertyKey>(["select", "insert", "update", "delete", "execute", "transaction"]);
  const proxy = new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (counted.has(prop)) statements++;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db: proxy, statements: () => statements };
}

describe("TikTokApiClient: the caller's row is reused when just read", () => {
  let h: AppHarness;
  let alice: { id: string; accountId: string };
  let bob: { id: string; accountId: string };

  beforeAll(async () => {
    h = await startAppHarness();
    const a = await h.signUp("alice");
    alice = { id: a.id, accountId: await connectTikTok(new TestBrowser(a.cookie), { openId: "sbx-ava-0001" }) };
    const b = await h.signUp("bob");
    bob = { id: b.id, accountId: await connectTikTok(new TestBrowser(b.cookie), { openId: "sbx-ben-0002" }) };
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.install();
    h.sandbox.control.clearFaults();
  });

  /**
   * The reuse window is set wide (or to nothing) here, so that a loaded CI machine taking more than
   * the default window (ROW_REUSE_MS) between a read and the call cannot change which path a test takes.
   */
  async function client(rowReuseMs = 60_000) {
    const { refresher } = await getTikTokServices();
    const counting = countingDatabase(h.db);
    const api = new TikTokApiClient({
      db: counting.db,
      cipher: getTokenCipher(),
      refresher,
      budget: new UserBudget({ perMinute: 1000, perDay: 10_000 }),
      apiBaseUrl: h.config.tiktok.apiBaseUrl,
      rowReuseMs,
    });
    return { api, statements: counting.statements };
  }

  it("a row read within the window: the call sends no statement of its own; an older one is re-read (one statement)", async () => {
    const { api, statements } = await client();
    const justRead = (await accountsOf(h.db, alice.id).get(alice.accountId))!;
    await api.listVideos(justRead, { cursor: 1 });
    expect(statements()).toBe(0);

    const older = await client(0);
    const old = (await accountsOf(h.db, alice.id).get(alice.accountId))!;
    await older.api.listVideos(old, { cursor: 2 });
    expect(older.statements()).toBe(1);
  });

  it("S36: a token replaced by a refresh after the caller's read → one refusal, the other refresh's token, one retry; no second refresh", async () => {
    const { api } = await client();
    const { refresher } = await getTikTokServices();
    const stale = (await accountsOf(h.db, bob.id).get(bob.accountId))!;
    expect((await refresher.refresh(bob.accountId, { force: true })).status).toBe("refreshed");
    const counters = h.sandbox.control.counters();
    // TikTok refusing the superseded access token.
    h.sandbox.control.queueFault("video_list", { kind: "api_error", code: "access_token_invalid", status: 401 });
    const page = await api.listVideos(stale, { cursor: 3 });
    expect(Array.isArray(page.videos)).toBe(true);
    const after = h.sandbox.control.counters();
    expect(after.tokenByGrant.refresh_token - counters.tokenByGrant.refresh_token).toBe(0);
    expect(after.video_list - counters.video_list).toBe(2);
  });

  it("an account removed after the caller's read, its token refused by TikTok → not_found", async () => {
    const { api } = await client();
    const held = (await accountsOf(h.db, alice.id).get(alice.accountId))!;
    await h.db.delete(socialAccounts).where(eq(socialAccounts.id, alice.accountId));
    h.sandbox.control.queueFault("video_list", { kind: "api_error", code: "access_token_invalid", status: 401 });
    const error = await api.listVideos(held, { cursor: 4 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TikTokCallError);
    expect((error as TikTokCallError).code).toBe("not_found");
  });
});
