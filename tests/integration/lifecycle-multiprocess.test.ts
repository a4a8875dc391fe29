import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isNotNull } from "drizzle-orm";
import { startTikTokSandbox } from "../../sandbox/tiktok/index";
import { createTokenCipher, parseKeyring } from "@/lib/crypto";
import { socialAccounts } from "@/lib/db/schema";
import { tokenAad } from "@/lib/connections/account-store";
import { createTestDatabase } from "../helpers/test-db";
import { refreshedEventCounts, seedConnectedAccounts } from "../helpers/seed-accounts";

const ROOT = path.resolve(__dirname, "../..");
const ACCOUNTS = 1000;

interface SweeperSummary {
  pid: number;
  claimed: number;
  sweeps: number;
  outcomes: Record<string, number>;
}

/** A sweeper in its own OS process; resolves with its summary once it has run dry and exited. */
function startSweeperProcess(env: Record<string, string>) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ["--import", "tsx", "tests/helpers/sweeper-process.ts"], {
    cwd: ROOT,
    env: { ...process.env, ...env, SWEEP_WAIT_FOR_GO: "1", LOG_LEVEL: "warn" },
  });
  let stdout = "";
  let stderr = "";
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('"ready":true')) onReady();
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<SweeperSummary>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => {
      const last = stdout.trim().split("\n").at(-1) ?? "";
      if (code !== 0) return reject(new Error(`sweeper process exited ${code}: ${stderr.slice(-2000)}`));
      try {
        resolve(JSON.parse(last) as SweeperSummary);
      } catch {
        reject(new Error(`no summary from sweeper process: ${stdout.slice(-500)} ${stderr.slice(-2000)}`));
      }
    });
  });
  return { child, ready, done, go: () => child.stdin.write("go\n") };
}

// A second process cannot open the in-memory PGlite database: this runs on a real PostgreSQL only.
describe.skipIf(!process.env.TEST_DATABASE_URL)("two sweeper processes on one PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let sandbox: Awaited<ReturnType<typeof startTikTokSandbox>>;
  beforeAll(async () => {
    database = await createTestDatabase();
    sandbox = await startTikTokSandbox({ port: 0 });
  });
  afterAll(async () => {
    await sandbox?.close();
    await database?.close();
  });

  it("share 1,000 due accounts: each refreshed exactly once, every stored refresh token still valid at TikTok", async () => {
    const keys = `k1:${randomBytes(32).toString("base64")}`;
    const cipher = createTokenCipher(parseKeyring(keys));
    const now = new Date();
    await seedConnectedAccounts({ db: database.db, cipher, sandbox, count: ACCOUNTS, now, dueAt: new Date(now.getTime() - 60_000) });

    const env = {
      DATABASE_URL: database.url!,
      TIKTOK_API_BASE_URL: sandbox.url,
      TOKEN_ENCRYPTION_KEYS: keys,
      // Small batches, so both processes keep coming back for more while the other holds rows.
      SWEEP_BATCH_SIZE: "40",
      SWEEP_CONCURRENCY: "16",
    };
    const workers = [startSweeperProcess(env), startSweeperProcess(env)];
    try {
      await Promise.all(workers.map((w) => w.ready));
      for (const w of workers) w.go();
      const summaries = await Promise.all(workers.map((w) => w.done));

      // Both did real work, and between them claimed every account exactly once.
      for (const s of summaries) expect(s.claimed).toBeGreaterThan(0);
      expect(summaries.reduce((n, s) => n + s.claimed, 0)).toBe(ACCOUNTS);
      expect(summaries.reduce((n, s) => n + (s.outcomes.refreshed ?? 0), 0)).toBe(ACCOUNTS);

      // TikTok saw exactly one refresh per account…
      expect(sandbox.control.counters().tokenByGrant.refresh_token).toBe(ACCOUNTS);
      // …and SocialFlow recorded exactly one per account.
      const counts = await refreshedEventCounts(database.db);
      expect(counts.size).toBe(ACCOUNTS);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);

      const rows = await database.db.select().from(socialAccounts);
      expect(rows).toHaveLength(ACCOUNTS);
      const states = new Map<string, number>();
      for (const row of rows) {
        expect(row).toMatchObject({ status: "ACTIVE", refreshFailures: 0, refreshLeaseId: null, refreshLeaseUntil: null });
        const refreshToken = cipher.decrypt(row.refreshToken!, tokenAad(row.id, "refresh_token"));
        const state = sandbox.control.tokenState(refreshToken);
        states.set(state, (states.get(state) ?? 0) + 1);
        expect(sandbox.control.accessTokenState(cipher.decrypt(row.accessToken, tokenAad(row.id, "access_token")))).toBe("valid");
      }
      expect(Object.fromEntries(states)).toEqual({ valid: ACCOUNTS });
      expect(await database.db.select().from(socialAccounts).where(isNotNull(socialAccounts.refreshLeaseId))).toEqual([]);
    } finally {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
    }
  }, 60_000);
});
