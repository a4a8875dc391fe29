import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTokenCipher, parseKeyring } from "@/lib/crypto";
import { checkStoredKeyIds, StoredKeyIdsMissingError } from "@/lib/crypto/stored-key-ids";
import { REENCRYPTED_COLUMNS } from "@/lib/crypto/reencrypt";
import type { DatabaseHandle } from "@/lib/db/client";
import { oauthStates } from "@/lib/db/schema";
import { metricValue, resetMetricsForTests } from "@/lib/observability/metrics";
import { createTestDatabase, usingRealPostgres } from "../helpers/test-db";
import { seedConnectedAccounts } from "../helpers/seed-accounts";
import { captureLogs, type LogCapture } from "../helpers/log-capture";

const keys = { k1: randomBytes(32).toString("base64"), k2: randomBytes(32).toString("base64"), k3: randomBytes(32).toString("base64") };
const cipherOf = (kid: keyof typeof keys) => createTokenCipher(parseKeyring(`${kid}:${keys[kid]}`));

/** Stands in for TikTok: any token pair, as the sandbox would issue it. */
const fakeTokens = {
  issueTokens: async (requests: { openId: string; scopes: string[] }[]) =>
    requests.map((r) => ({
      access_token: `act.${randomBytes(8).toString("hex")}`,
      refresh_token: `rft.${randomBytes(8).toString("hex")}`,
      open_id: r.openId,
      expires_in: 86_400,
      refresh_expires_in: 31_536_000,
      scope: r.scopes.join(","),
      token_type: "Bearer" as const,
    })),
};

describe(`start-up check of stored key ids (${usingRealPostgres ? "PostgreSQL" : "PGlite"})`, () => {
  let database: DatabaseHandle;
  let logs: LogCapture;
  beforeAll(async () => {
    database = await createTestDatabase();
    const db = database.db;
    const now = new Date();
    // Two accounts under k1, one under k2, and one pending OAuth state whose verifier is under k3.
    const { userId } = await seedConnectedAccounts({ db, cipher: cipherOf("k1"), sandbox: fakeTokens, count: 2, now });
    await seedConnectedAccounts({ db, cipher: cipherOf("k2"), sandbox: fakeTokens, count: 1, now, userId });
    const stateId = randomUUID();
    await db.insert(oauthStates).values({
      id: stateId,
      stateHash: randomBytes(32).toString("hex"),
      provider: "TIKTOK",
      userId,
      codeVerifier: cipherOf("k3").encrypt("verifier", { table: "oauth_states", rowId: stateId, field: "code_verifier" }),
      browserBindingHash: randomBytes(32).toString("hex"),
      returnTo: "/settings/accounts",
      createdAt: now,
      expiresAt: new Date(now.getTime() + 600_000),
    });
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(() => {
    logs?.restore();
    logs = captureLogs();
    resetMetricsForTests();
  });

  const run = (kids: string[], production: boolean) =>
    checkStoredKeyIds({ db: database.db, keyIds: new Set(kids), production, logger: logs.logger });

  it("S59: every key id in use present → nothing reported", async () => {
    expect(await run(["k2", "k1", "k3"], true)).toEqual({
      missingKeyIds: [],
      affectedRows: { "social_accounts.access_token": 0, "social_accounts.refresh_token": 0, "oauth_states.code_verifier": 0 },
    });
    expect(logs.events()).not.toContain("keys.missing");
    expect(metricValue("sf_stored_key_ids_missing_total")).toBe(0);
  });

  it("S59: key ids in use that the keyring lacks are reported in one log line with the rows per column (every encrypted column), and counted; outside production start-up goes on", async () => {
    const report = await run(["k2"], false);
    expect(report).toEqual({
      missingKeyIds: ["k1", "k3"],
      affectedRows: { "social_accounts.access_token": 2, "social_accounts.refresh_token": 2, "oauth_states.code_verifier": 1 },
    });
    // The report covers exactly the columns the re-encryption command rewrites.
    expect(Object.keys(report.affectedRows).sort()).toEqual(REENCRYPTED_COLUMNS.flatMap((t) => t.fields.map((f) => `${t.table}.${f}`)).sort());
    const lines = logs.entries().filter((e) => e.event === "keys.missing");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ missingKeyIds: ["k1", "k3"], affectedRows: report.affectedRows, refused: false });
    expect(metricValue("sf_stored_key_ids_missing_total")).toBe(2);
    for (const key of Object.values(keys)) expect(logs.text()).not.toContain(key);
  });

  it("S59: in production start-up is refused with an error naming the missing key ids, never key material", async () => {
    const failure = await run(["k2"], true).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StoredKeyIdsMissingError);
    const message = (failure as Error).message;
    expect(message).toContain("k1, k3");
    expect(message).toContain("2 in social_accounts.access_token");
    expect(message).toContain("1 in oauth_states.code_verifier");
    for (const key of Object.values(keys)) expect(message).not.toContain(key);
    expect(logs.entries().find((e) => e.event === "keys.missing")).toMatchObject({ refused: true });
  });

  it("S59: it is one statement, whatever the number of rows", async () => {
    let statements = 0;
    const counting = new Proxy(database.db, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop === "execute") statements++;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    await checkStoredKeyIds({ db: counting, keyIds: new Set(["k2"]), production: false, logger: logs.logger });
    expect(statements).toBe(1);
    // Values that are not envelopes are not key ids (and are never echoed).
    await database.db.execute(sql`update social_accounts set refresh_token = 'plain.secret-looking.value' where id = (select id from social_accounts limit 1)`);
    expect((await run(["k1", "k2", "k3"], true)).missingKeyIds).toEqual([]);
    expect(logs.text()).not.toContain("secret-looking");
  });

  it("S59: the web server and the worker run the same check at start-up", () => {
    const root = path.resolve(__dirname, "../..");
    for (const file of ["src/lib/server-runtime.ts", "scripts/worker.ts"]) {
      expect(readFileSync(path.join(root, file), "utf8"), file).toMatch(/await checkKeysAtStartup\(\)/);
    }
  });
});
