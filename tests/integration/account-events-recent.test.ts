/**
 * The accounts page reads every card's recent events in one statement
 * (`listRecentAccountEvents`): newest first, at most `limit` per account, only the owner's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppHarness, type AppHarness } from "../helpers/app-harness";
import { seedConnectedAccounts } from "../helpers/seed-accounts";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { listRecentAccountEvents, recordAccountEvent } from "@/lib/connections/events";

describe("recent events of a user's accounts", { timeout: 60_000 }, () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("newest first, at most `limit` per account, one statement for all, another user's never", async () => {
    const seed = (count: number) => seedConnectedAccounts({ db: h.db, cipher: getTokenCipher(), sandbox: { control: h.sandbox.control }, count, now: new Date() });
    const mine = await seed(3);
    const theirs = await seed(1);
    const base = Date.parse("2026-01-01T00:00:00Z");
    // Account 0: 7 events (only the newest 5 come back); account 1: 2; account 2: none.
    const plan = [7, 2, 0];
    for (const [index, count] of plan.entries()) {
      for (let n = 0; n < count; n++) {
        await recordAccountEvent(h.db, { accountId: mine.accounts[index]!.id, userId: mine.userId, kind: n % 2 ? "refreshed" : "connected", at: new Date(base + n * 60_000) });
      }
    }
    // Events filed under my account id but another user: not mine to see.
    await recordAccountEvent(h.db, { accountId: mine.accounts[0]!.id, userId: theirs.userId, kind: "disconnected", at: new Date(base + 99 * 60_000) });

    const owned = await accountsOf(h.db, mine.userId).list();
    expect(owned).toHaveLength(3);
    const trails = await listRecentAccountEvents(h.db, owned, 5);
    const minutes = (id: string) => trails.get(id)!.map((e) => (e.createdAt.getTime() - base) / 60_000);
    expect(minutes(mine.accounts[0]!.id)).toEqual([6, 5, 4, 3, 2]);
    expect(trails.get(mine.accounts[0]!.id)!.map((e) => e.kind)).toEqual(["connected", "refreshed", "connected", "refreshed", "connected"]);
    expect(minutes(mine.accounts[1]!.id)).toEqual([1, 0]);
    expect(minutes(mine.accounts[2]!.id)).toEqual([]);

    expect(await listRecentAccountEvents(h.db, [], 5)).toEqual(new Map());
    const mixed = [...owned, ...(await accountsOf(h.db, theirs.userId).list())];
    await expect(listRecentAccountEvents(h.db, mixed, 5)).rejects.toThrow(/one user/);
  });
});
