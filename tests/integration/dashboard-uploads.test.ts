/**
 * The dashboard's "last uploads" (issue #13): the newest uploads of every one of the owner's
 * accounts come from one statement, however many accounts there are, and never an upload of
 * another user — not even one filed under the owner's account id.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { videoUploads, type VideoUploadRow } from "@/lib/db/schema";
import { UploadStore } from "@/lib/uploads/upload-store";
import { UploadService } from "@/lib/uploads/upload-service";
import type { OwnedAccount } from "@/lib/connections/owned-accounts";
import { createTestDatabase, usingRealPostgres } from "../helpers/test-db";
import { ownedTestAccount } from "../helpers/analytics-kit";
import { countStatements } from "../helpers/count-statements";

const NOW = new Date("2026-11-30T12:00:00Z");
const MINUTE = 60_000;

let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(() => h.close());

async function insertUpload(account: { id: string; userId: string }, minute: number, state: VideoUploadRow["state"] = "PUBLISH_COMPLETE"): Promise<string> {
  const id = `up-${minute}-${randomUUID()}`;
  const at = new Date(NOW.getTime() + minute * MINUTE);
  await h.db.insert(videoUploads).values({ id, accountId: account.id, userId: account.userId, mode: "inbox", state, totalBytes: 1000, createdAt: at, updatedAt: at });
  return id;
}

/** The service over the store alone: listing calls neither TikTok nor the file system. */
function serviceOn(store: UploadStore): UploadService {
  return new UploadService({ store, api: {} as never, config: {} as never, apiBaseUrl: "http://127.0.0.1:1" });
}

describe(`dashboard last uploads (${usingRealPostgres ? "PostgreSQL" : "PGlite"})`, () => {
  it("newest first, at most N per account, one statement for all the owner's accounts, another user's never", async () => {
    const first = await ownedTestAccount(h.db, { now: NOW });
    const mine: OwnedAccount[] = [first, await ownedTestAccount(h.db, { now: NOW, userId: first.userId }), await ownedTestAccount(h.db, { now: NOW, userId: first.userId })];
    const theirs = await ownedTestAccount(h.db, { now: NOW });
    // Account 0: 5 uploads (the newest 3 come back); account 1: 1; account 2: none.
    const zero = [];
    for (let minute = 0; minute < 5; minute++) zero.push(await insertUpload(mine[0]!, minute));
    const one = await insertUpload(mine[1]!, 2, "FAILED");
    // The second user's own upload, and one filed under my account id with their user id.
    await insertUpload(theirs, 10);
    const planted = await insertUpload({ id: mine[0]!.id, userId: theirs.userId }, 99);

    const service = serviceOn(new UploadStore(h.db));
    const { result: lists, statements } = await countStatements(h.db, () => service.listRecent(mine, 3));
    expect(statements).toBe(1);
    expect(lists.get(mine[0]!.id)!.map((u) => u.id)).toEqual([zero[4], zero[3], zero[2]]);
    expect(lists.get(mine[0]!.id)![0]!.createdAt).toBe(new Date(NOW.getTime() + 4 * MINUTE).toISOString());
    expect(lists.get(mine[1]!.id)!.map((u) => [u.id, u.succeeded])).toEqual([[one, false]]);
    expect(lists.get(mine[2]!.id)).toEqual([]);
    expect([...lists.keys()].sort()).toEqual(mine.map((a) => a.id).sort());
    const seen = JSON.stringify([...lists.values()]);
    expect(seen).not.toContain(planted);
    expect(seen).not.toContain(theirs.id);

    // The second user sees only their own upload, none of mine.
    const theirLists = await service.listRecent([theirs], 3);
    expect([...theirLists.values()].flat()).toHaveLength(1);
    expect(JSON.stringify([...theirLists.values()])).not.toContain(mine[0]!.id);
  });

  it("the same one statement with twenty accounts; none for no account; refuses accounts of two users", async () => {
    const first = await ownedTestAccount(h.db, { now: NOW });
    const many = [first];
    for (let n = 1; n < 20; n++) many.push(await ownedTestAccount(h.db, { now: NOW, userId: first.userId }));
    for (const account of many) await insertUpload(account, 1);
    const store = new UploadStore(h.db);
    const { result, statements } = await countStatements(h.db, () => store.listRecentForAccounts(many, 5));
    expect(statements).toBe(1);
    expect([...result.values()].map((rows) => rows.length)).toEqual(many.map(() => 1));

    const none = await countStatements(h.db, () => store.listRecentForAccounts([], 5));
    expect(none.statements).toBe(0);
    expect(none.result).toEqual(new Map());
    const other = await ownedTestAccount(h.db, { now: NOW });
    await expect(store.listRecentForAccounts([first, other], 5)).rejects.toThrow(/one user/);
  });
});
