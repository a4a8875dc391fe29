import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, usingRealPostgres } from "../../../tests/helpers/test-db";
import { keysRotate } from "../../../scripts/keys-rotate";
import { openDatabase, type Database, type DatabaseHandle } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { oauthStates, socialAccounts, user } from "@/lib/db/schema";
import { parseKeyring } from "./keyring";
import { reencryptAll, type ReencryptProgress } from "./reencrypt";
import { keyLine } from "./test-helpers";
import { createTokenCipher, type TokenCipher } from "./token-cipher";

const USER_ID = "user-s28";

/** Fixed key material for three generations: "old" (before rotation), "new" (primary after), "gone" (dropped). */
const OLD = keyLine("old");
const NEW = keyLine("new");
const GONE = keyLine("gone");

const oldCipher = createTokenCipher(parseKeyring(OLD));
const goneCipher = createTokenCipher(parseKeyring(GONE));
/** What the operator runs with after `keys:generate`: the new key first, the old one kept. */
const rotatingCipher = createTokenCipher(parseKeyring(`${NEW},${OLD}`));
/** The end state: only the new key. Every rotated row must decrypt with it alone. */
const newOnlyCipher = createTokenCipher(parseKeyring(NEW));

const aad = (rowId: string, field: "access_token" | "refresh_token") => ({ table: "social_accounts", rowId, field });
const stateAad = (rowId: string) => ({ table: "oauth_states", rowId, field: "code_verifier" });

const secret = (label: string) => `${label}.${randomBytes(18).toString("base64url")}`;

type SeededAccount = { id: string; access: string; refresh: string | null };
type SeededState = { id: string; verifier: string };

async function seedAccount(
  db: Database,
  id: string,
  cipher: TokenCipher,
  options: { refresh?: boolean; refreshCipher?: TokenCipher } = {},
): Promise<SeededAccount> {
  const access = secret("act");
  const refresh = options.refresh === false ? null : secret("rft");
  await db.insert(socialAccounts).values({
    id,
    userId: USER_ID,
    platform: "TIKTOK",
    platformUserId: `open-${id}`,
    displayName: `Account ${id}`,
    scopes: ["user.info.basic"],
    accessToken: cipher.encrypt(access, aad(id, "access_token")),
    refreshToken: refresh === null ? null : (options.refreshCipher ?? cipher).encrypt(refresh, aad(id, "refresh_token")),
    tokenExpiry: new Date(Date.now() + 86_400_000),
  });
  return { id, access, refresh };
}

async function seedState(db: Database, id: string, cipher: TokenCipher): Promise<SeededState> {
  const verifier = secret("pkce");
  await db.insert(oauthStates).values({
    id,
    stateHash: `hash-${id}`,
    provider: "TIKTOK",
    userId: USER_ID,
    codeVerifier: cipher.encrypt(verifier, stateAad(id)),
    browserBindingHash: `binding-${id}`,
    returnTo: "/settings/accounts",
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + 600_000),
  });
  return { id, verifier };
}

async function accountRows(db: Database) {
  return db
    .select({ id: socialAccounts.id, access: socialAccounts.accessToken, refresh: socialAccounts.refreshToken })
    .from(socialAccounts)
    .orderBy(asc(socialAccounts.id));
}

async function stateRows(db: Database) {
  return db.select({ id: oauthStates.id, verifier: oauthStates.codeVerifier }).from(oauthStates).orderBy(asc(oauthStates.id));
}

async function accountRow(db: Database, id: string) {
  const [row] = await db
    .select({ access: socialAccounts.accessToken, refresh: socialAccounts.refreshToken })
    .from(socialAccounts)
    .where(eq(socialAccounts.id, id));
  if (row === undefined) throw new Error(`row ${id} missing`);
  return row;
}

const pad = (n: number) => String(n).padStart(3, "0");

async function seedUser(db: Database): Promise<void> {
  await db.insert(user).values({ id: USER_ID, name: "S28 tester", email: "s28@example.test" }).onConflictDoNothing();
}

describe(`S28 key rotation: reencryptAll (${usingRealPostgres ? "PostgreSQL" : "PGlite"})`, () => {
  let handle: DatabaseHandle & { url?: string };
  let db: Database;

  beforeAll(async () => {
    handle = await createTestDatabase();
    db = handle.db;
    await seedUser(db);
  });
  afterAll(async () => {
    await handle.close();
  });
  beforeEach(async () => {
    await db.delete(socialAccounts);
    await db.delete(oauthStates);
  });

  it("S28: the re-encryption command moves rows from the old key to the new one", async () => {
    const accounts: SeededAccount[] = [];
    for (let i = 1; i <= 7; i += 1) accounts.push(await seedAccount(db, `acc-${pad(i)}`, oldCipher, { refresh: i % 3 !== 0 }));
    const states: SeededState[] = [];
    for (let i = 1; i <= 4; i += 1) states.push(await seedState(db, `st-${pad(i)}`, oldCipher));
    const before = await accountRows(db);

    const progress: ReencryptProgress[] = [];
    const summary = await reencryptAll(db, rotatingCipher, { batchSize: 3, onProgress: (p) => progress.push(p) });

    expect(summary.ok).toBe(true);
    expect(summary.failures).toEqual([]);
    expect(summary.tables).toEqual([
      { table: "social_accounts", total: 7, scanned: 7, rewritten: 7, skipped: 0, failed: 0, conflicts: 0 },
      { table: "oauth_states", total: 4, scanned: 4, rewritten: 4, skipped: 0, failed: 0, conflicts: 0 },
    ]);
    // One report per batch of 3: 7 rows → 3, 6, 7; 4 rows → 3, 4.
    expect(progress.map((p) => `${p.table}:${p.scanned}/${p.total}`)).toEqual([
      "social_accounts:3/7",
      "social_accounts:6/7",
      "social_accounts:7/7",
      "oauth_states:3/4",
      "oauth_states:4/4",
    ]);

    const after = await accountRows(db);
    expect(after.map((r) => r.id)).toEqual(accounts.map((a) => a.id));
    for (const [i, row] of after.entries()) {
      const seeded = accounts[i]!;
      expect(rotatingCipher.keyIdOf(row.access)).toBe("new");
      expect(row.access).not.toBe(before[i]!.access);
      // Decrypts with the new key alone, to the very same token, still bound to its row and field.
      expect(newOnlyCipher.decrypt(row.access, aad(row.id, "access_token"))).toBe(seeded.access);
      expect(() => newOnlyCipher.decrypt(row.access, aad(row.id, "refresh_token"))).toThrow();
      if (seeded.refresh === null) {
        expect(row.refresh).toBeNull();
      } else {
        expect(rotatingCipher.keyIdOf(row.refresh!)).toBe("new");
        expect(newOnlyCipher.decrypt(row.refresh!, aad(row.id, "refresh_token"))).toBe(seeded.refresh);
      }
    }
    for (const [i, row] of (await stateRows(db)).entries()) {
      expect(rotatingCipher.keyIdOf(row.verifier)).toBe("new");
      expect(newOnlyCipher.decrypt(row.verifier, stateAad(row.id))).toBe(states[i]!.verifier);
    }
    // Nothing but the encrypted columns changed.
    const [other] = await db.select({ name: socialAccounts.displayName }).from(socialAccounts).where(eq(socialAccounts.id, "acc-001"));
    expect(other?.name).toBe("Account acc-001");
  });

  it("S28: re-encryption is resumable and skips rows already under the primary key", async () => {
    const seeded = new Map<string, SeededAccount>();
    for (let i = 1; i <= 12; i += 1) {
      // Rows 4 and 9 were written after the new key was deployed (new writes use the primary).
      const account = await seedAccount(db, `acc-${pad(i)}`, i === 4 || i === 9 ? rotatingCipher : oldCipher);
      seeded.set(account.id, account);
    }
    const primaryBefore = new Map((await accountRows(db)).filter((r) => r.id === "acc-004" || r.id === "acc-009").map((r) => [r.id, r]));

    // Interrupted after the first batch (a crash, ^C, a deploy).
    const interruption = new Error("interrupted");
    await expect(
      reencryptAll(db, rotatingCipher, {
        batchSize: 5,
        onProgress: () => {
          throw interruption;
        },
      }),
    ).rejects.toBe(interruption);

    const midway = await accountRows(db);
    const movedMidway = midway.filter((r) => rotatingCipher.keyIdOf(r.access) === "new");
    // acc-001..005 moved (acc-004 already was); acc-009 was already under the primary.
    expect(movedMidway.map((r) => r.id)).toEqual(["acc-001", "acc-002", "acc-003", "acc-004", "acc-005", "acc-009"]);
    expect(midway.filter((r) => rotatingCipher.keyIdOf(r.access) === "old")).toHaveLength(6);

    const resumed = await reencryptAll(db, rotatingCipher, { batchSize: 5 });
    expect(resumed.ok).toBe(true);
    expect(resumed.tables[0]).toEqual({ table: "social_accounts", total: 12, scanned: 12, rewritten: 6, skipped: 6, failed: 0, conflicts: 0 });

    const final = await accountRows(db);
    for (const row of final) {
      expect(rotatingCipher.keyIdOf(row.access)).toBe("new");
      expect(rotatingCipher.keyIdOf(row.refresh!)).toBe("new");
      expect(newOnlyCipher.decrypt(row.access, aad(row.id, "access_token"))).toBe(seeded.get(row.id)!.access);
      expect(newOnlyCipher.decrypt(row.refresh!, aad(row.id, "refresh_token"))).toBe(seeded.get(row.id)!.refresh);
    }
    // Rows already under the primary (from the start, or from the interrupted run) were not rewritten again.
    for (const moved of movedMidway) {
      const now = final.find((r) => r.id === moved.id)!;
      expect(now.access).toBe(moved.access);
      expect(now.refresh).toBe(moved.refresh);
    }
    for (const [id, row] of primaryBefore) expect(final.find((r) => r.id === id)!.access).toBe(row.access);

    // A third run has nothing to do.
    const again = await reencryptAll(db, rotatingCipher);
    expect(again.tables.map((t) => [t.table, t.rewritten, t.skipped])).toEqual([
      ["social_accounts", 0, 12],
      ["oauth_states", 0, 0],
    ]);
    expect(await accountRows(db)).toEqual(final);
  });

  it("S28: a row under an unknown key id fails closed and is reported, not rewritten", async () => {
    const good = await seedAccount(db, "acc-001", oldCipher);
    const unknownKid = await seedAccount(db, "acc-002", goneCipher);
    // Access token fine, refresh token under a dropped key: the whole row is left as it is.
    const halfBad = await seedAccount(db, "acc-003", oldCipher, { refreshCipher: goneCipher });
    const tail = await seedAccount(db, "acc-004", oldCipher);
    // A ciphertext copied from another row (AAD mismatch) and a value that is not an envelope.
    const copied = await seedAccount(db, "acc-005", oldCipher);
    const copiedFrom = await accountRow(db, "acc-001");
    await db.update(socialAccounts).set({ accessToken: copiedFrom.access }).where(eq(socialAccounts.id, "acc-005"));
    await seedState(db, "st-001", oldCipher);
    await db.insert(oauthStates).values({
      id: "st-002",
      stateHash: "hash-st-002",
      provider: "TIKTOK",
      userId: USER_ID,
      codeVerifier: "plain-text-verifier-left-by-a-bug",
      browserBindingHash: "binding-st-002",
      returnTo: "/settings/accounts",
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 600_000),
    });
    const before = await accountRows(db);
    const statesBefore = await stateRows(db);

    const summary = await reencryptAll(db, rotatingCipher, { batchSize: 2 });

    expect(summary.ok).toBe(false);
    expect(summary.failures).toEqual([
      { table: "social_accounts", id: "acc-002", reason: "decrypt_failed", fields: ["access_token", "refresh_token"] },
      { table: "social_accounts", id: "acc-003", reason: "decrypt_failed", fields: ["refresh_token"] },
      { table: "social_accounts", id: "acc-005", reason: "decrypt_failed", fields: ["access_token"] },
      { table: "oauth_states", id: "st-002", reason: "decrypt_failed", fields: ["code_verifier"] },
    ]);
    expect(summary.tables.map((t) => [t.table, t.rewritten, t.failed])).toEqual([
      ["social_accounts", 2, 3],
      ["oauth_states", 1, 1],
    ]);

    const after = await accountRows(db);
    for (const id of ["acc-002", "acc-003", "acc-005"]) {
      expect(after.find((r) => r.id === id)).toEqual(before.find((r) => r.id === id));
    }
    expect((await stateRows(db)).find((r) => r.id === "st-002")).toEqual(statesBefore.find((r) => r.id === "st-002"));
    // The failures did not stop the rows after them.
    for (const seeded of [good, tail]) {
      const row = after.find((r) => r.id === seeded.id)!;
      expect(newOnlyCipher.decrypt(row.access, aad(row.id, "access_token"))).toBe(seeded.access);
    }

    // The report names ids and columns, never a value (plaintext or stored text).
    const report = JSON.stringify(summary);
    const values = [good, unknownKid, halfBad, tail, copied].flatMap((a) => [a.access, a.refresh ?? ""]);
    values.push(...before.flatMap((r) => [r.access, r.refresh ?? ""]), "plain-text-verifier-left-by-a-bug");
    for (const value of values) expect(report).not.toContain(value);
  });

  it("S28: a token changed concurrently is not overwritten", async () => {
    await seedAccount(db, "acc-001", oldCipher);
    await seedAccount(db, "acc-002", oldCipher);
    await seedAccount(db, "acc-003", oldCipher);
    const refreshedByNewApp = { access: secret("act-refreshed"), refresh: secret("rft-refreshed") };
    const refreshedByOldApp = { access: secret("act-refreshed-old"), refresh: secret("rft-refreshed-old") };

    const writes: string[] = [];
    let churn = 0;
    const summary = await reencryptAll(db, rotatingCipher, {
      beforeWrite: async ({ table, id }) => {
        writes.push(`${table}/${id}`);
        // Between our read and our write, a refresh stores a rotated token pair.
        if (id === "acc-001" && writes.filter((w) => w.endsWith("acc-001")).length === 1) {
          // ...by an instance already on the new keyring: the row is current, nothing to redo.
          await db
            .update(socialAccounts)
            .set({
              accessToken: rotatingCipher.encrypt(refreshedByNewApp.access, aad(id, "access_token")),
              refreshToken: rotatingCipher.encrypt(refreshedByNewApp.refresh, aad(id, "refresh_token")),
            })
            .where(eq(socialAccounts.id, id));
        }
        if (id === "acc-002" && writes.filter((w) => w.endsWith("acc-002")).length === 1) {
          // ...by an instance still on the old keyring: re-read, and the refreshed token is moved.
          await db
            .update(socialAccounts)
            .set({ accessToken: oldCipher.encrypt(refreshedByOldApp.access, aad(id, "access_token")) })
            .where(eq(socialAccounts.id, id));
        }
        if (id === "acc-003") {
          // ...over and over: give up on the row (reported), never clobber it.
          churn += 1;
          await db
            .update(socialAccounts)
            .set({ refreshToken: oldCipher.encrypt(`${refreshedByOldApp.refresh}-${churn}`, aad(id, "refresh_token")) })
            .where(eq(socialAccounts.id, id));
        }
      },
    });

    const one = await accountRow(db, "acc-001");
    expect(rotatingCipher.decrypt(one.access, aad("acc-001", "access_token"))).toBe(refreshedByNewApp.access);
    expect(rotatingCipher.decrypt(one.refresh!, aad("acc-001", "refresh_token"))).toBe(refreshedByNewApp.refresh);

    const two = await accountRow(db, "acc-002");
    expect(rotatingCipher.keyIdOf(two.access)).toBe("new");
    expect(rotatingCipher.decrypt(two.access, aad("acc-002", "access_token"))).toBe(refreshedByOldApp.access);
    expect(rotatingCipher.keyIdOf(two.refresh!)).toBe("new");

    const three = await accountRow(db, "acc-003");
    expect(rotatingCipher.decrypt(three.refresh!, aad("acc-003", "refresh_token"))).toBe(`${refreshedByOldApp.refresh}-${churn}`);
    expect(churn).toBe(3);

    expect(summary.tables[0]).toEqual({ table: "social_accounts", total: 3, scanned: 3, rewritten: 1, skipped: 1, failed: 0, conflicts: 1 });
    expect(summary.failures).toEqual([
      { table: "social_accounts", id: "acc-003", reason: "conflict", fields: ["access_token", "refresh_token"] },
    ]);
    expect(summary.ok).toBe(false);
    expect(writes).toEqual([
      "social_accounts/acc-001",
      "social_accounts/acc-002",
      "social_accounts/acc-002",
      "social_accounts/acc-003",
      "social_accounts/acc-003",
      "social_accounts/acc-003",
    ]);
  });

  it("S28: keys:rotate prints progress and a summary, never a token, and exits non-zero on failures", async () => {
    // The command opens the database itself from the environment, as the app does.
    const scratch = mkdtempSync(path.join(tmpdir(), "sf-keys-rotate-"));
    let commandDb: { env: Record<string, string | undefined>; open: () => Promise<DatabaseHandle>; shared: boolean };
    if (usingRealPostgres) {
      commandDb = { env: { DATABASE_URL: handle.url }, open: async () => handle, shared: true };
    } else {
      const dir = path.join(scratch, "pglite");
      commandDb = {
        env: { PGLITE_DATA_DIR: dir },
        open: async () => {
          const h = await openDatabase({ pgliteDir: dir });
          await migrateDatabase(h);
          return h;
        },
        shared: false,
      };
    }
    const env = (keys: string) =>
      ({
        NODE_ENV: "test",
        TOKEN_ENCRYPTION_KEYS: keys,
        BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
        ...commandDb.env,
      }) as NodeJS.ProcessEnv;

    try {
      let seedDb = await commandDb.open();
      await seedUser(seedDb.db);
      const seeded = [
        await seedAccount(seedDb.db, "acc-001", oldCipher),
        await seedAccount(seedDb.db, "acc-002", oldCipher, { refresh: false }),
        await seedAccount(seedDb.db, "acc-003", goneCipher),
      ];
      const state = await seedState(seedDb.db, "st-001", oldCipher);
      const stored = [...(await accountRows(seedDb.db)).flatMap((r) => [r.access, r.refresh ?? ""]), ...(await stateRows(seedDb.db)).map((r) => r.verifier)];
      if (!commandDb.shared) await seedDb.close();

      const run = async (keys: string) => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await keysRotate({ env: env(keys), dataDir: scratch, batchSize: 2, out: (l) => out.push(l), err: (l) => err.push(l) });
        return { code, out, err, text: [...out, ...err].join("\n") };
      };

      const first = await run(`${NEW},${OLD}`);
      expect(first.code).toBe(1);
      expect(first.out).toContain("social_accounts: 2/3 scanned, 2 rewritten, 0 already current (0 failed)");
      expect(first.out).toContain("social_accounts: 3/3 scanned, 2 rewritten, 0 already current (1 failed)");
      expect(first.out).toContain("oauth_states: 1/1 scanned, 1 rewritten, 0 already current (0 failed)");
      expect(first.out).toContain("Done: 3 rows re-encrypted, 1 failed, 0 conflicts.");
      expect(first.err).toContain("  social_accounts id=acc-003: did not decrypt (access_token, refresh_token)");
      const secrets = [
        ...seeded.flatMap((a) => [a.access, a.refresh ?? ""]),
        state.verifier,
        ...stored,
        ...[NEW, OLD, GONE].map((line) => line.split(":")[1]!),
      ].filter((s) => s.length > 0);
      for (const value of secrets) expect(first.text).not.toContain(value);

      // The dropped key is put back (after the primary): the run completes and exits 0.
      const second = await run(`${NEW},${OLD},${GONE}`);
      expect(second.code).toBe(0);
      expect(second.out).toContain("Done: 1 rows re-encrypted, 0 failed, 0 conflicts.");
      expect(second.err).toEqual([]);

      seedDb = commandDb.shared ? seedDb : await commandDb.open();
      try {
        for (const row of await accountRows(seedDb.db)) {
          const original = seeded.find((a) => a.id === row.id)!;
          expect(newOnlyCipher.decrypt(row.access, aad(row.id, "access_token"))).toBe(original.access);
        }
        const rotated = [...(await accountRows(seedDb.db)).flatMap((r) => [r.access, r.refresh ?? ""]), ...(await stateRows(seedDb.db)).map((r) => r.verifier)];
        for (const value of rotated.filter((v) => v.length > 0)) expect(first.text + second.text).not.toContain(value);
      } finally {
        if (!commandDb.shared) await seedDb.close();
      }

      // An unusable keyring stops the command before it touches anything (exit 2, key not echoed).
      const broken = await run(`new:${"A".repeat(10)}`);
      expect(broken.code).toBe(2);
      expect(broken.err.join("\n")).toMatch(/TOKEN_ENCRYPTION_KEYS is invalid/);
      expect(broken.text).not.toContain("A".repeat(10));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 120_000); // PGlite on disk is opened and migrated several times here: slow on a busy machine.

  it("S28: batchSize is validated", async () => {
    await expect(reencryptAll(db, rotatingCipher, { batchSize: 0 })).rejects.toThrow(RangeError);
    await expect(reencryptAll(db, rotatingCipher, { batchSize: 1.5 })).rejects.toThrow(RangeError);
    // An empty database still reports each table once.
    const seen: string[] = [];
    await reencryptAll(db, rotatingCipher, { onProgress: (p) => seen.push(`${p.table}:${p.scanned}/${p.total}`) });
    expect(seen).toEqual(["social_accounts:0/0", "oauth_states:0/0"]);
  });
});
