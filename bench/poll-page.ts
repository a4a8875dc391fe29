/**
 * Issue #14 §3: what a signed-in user opens and polls far more often than a callback, with 10
 * connected accounts: the upload status route (GET …/uploads/:id, the upload page polls it) and
 * the accounts page's server work (session, the user's accounts, each card's recent events,
 * the view models: the same calls `src/app/(app)/settings/accounts/page.tsx` makes; React's
 * rendering of the cards is not in it). Real route handlers and services on a throwaway
 * database on the same PostgreSQL, as the connect bench.
 *
 * Baseline (same run, same concurrency): one `select 1` round trip to the same database.
 */
import { randomUUID } from "node:crypto";
import { startAppHarness, TestBrowser, APP_URL } from "../tests/helpers/app-harness";
import { seedConnectedAccounts } from "../tests/helpers/seed-accounts";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { getSessionUser } from "@/lib/auth";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { listRecentAccountEvents } from "@/lib/connections/events";
import { toAccountView } from "@/lib/connections/view-model";
import { getAppServices } from "@/lib/services";
import { getDb } from "@/lib/db";
import { videoUploads } from "@/lib/db/schema";
import { sql } from "drizzle-orm";
import { GET as uploadStatus } from "@/app/api/accounts/[accountId]/uploads/[uploadId]/route";
import { callbackTiming, installStatementCounter, newTally } from "./connect-flow";
import { adminUrl, percentile, runConcurrently } from "./lib";

export interface PollPageResult {
  requests: number;
  concurrency: number;
  accountsPerUser: number;
  status: { p50: number; p99: number; statements: number };
  page: { p50: number; p99: number; statements: number };
  roundTrip: { p50: number; p99: number };
}

async function measure(count: number, concurrency: number, task: () => Promise<void>) {
  const times: number[] = [];
  let statements = 0;
  await runConcurrently(count, concurrency, async () => {
    const tally = newTally();
    const started = performance.now();
    await callbackTiming.run(tally, task);
    times.push(performance.now() - started);
    statements += tally.statements;
  });
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), statements: statements / count };
}

export async function benchPollAndPage(options: { requests: number; concurrency: number; accountsPerUser: number }): Promise<PollPageResult> {
  if (process.env.BENCH_CONNECT_DB === "pglite") delete process.env.TEST_DATABASE_URL;
  else process.env.TEST_DATABASE_URL = adminUrl();
  const h = await startAppHarness();
  const restoreQuery = installStatementCounter();
  try {
    const users = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const signedUp = await h.signUp();
        const seeded = await seedConnectedAccounts({
          db: h.db,
          cipher: getTokenCipher(),
          sandbox: { control: h.sandbox.control },
          count: options.accountsPerUser,
          userId: signedUp.id,
          now: new Date(),
        });
        const accountId = seeded.accounts[0]!.id;
        const uploadId = randomUUID();
        await h.db.insert(videoUploads).values({ id: uploadId, accountId, userId: signedUp.id, mode: "inbox", state: "UPLOADING", bytesSent: 1 << 20, totalBytes: 8 << 20 });
        return { browser: new TestBrowser(signedUp.cookie), accountId, uploadId };
      }),
    );
    let next = 0;
    const someone = () => users[next++ % users.length]!;

    const poll = async () => {
      const u = someone();
      const url = `${APP_URL}/api/accounts/${u.accountId}/uploads/${u.uploadId}`;
      const response = await uploadStatus(u.browser.request(url), { params: Promise.resolve({ accountId: u.accountId, uploadId: u.uploadId }) });
      if (response.status !== 200) throw new Error(`status poll answered ${response.status}`);
      await response.json();
    };
    const page = async () => {
      const u = someone();
      const user = await getSessionUser(new Headers({ cookie: u.browser.cookieHeader }));
      if (!user) throw new Error("accounts page: not signed in");
      const { providers } = await getAppServices();
      const db = await getDb();
      const owned = await accountsOf(db, user.id).list();
      const trails = await listRecentAccountEvents(db, owned, 5);
      const now = new Date();
      const cards = owned.map((a) => ({ view: toAccountView(a.row, now, providers.get(a.row.platform)), events: trails.get(a.id) ?? [] }));
      if (cards.length !== options.accountsPerUser) throw new Error(`accounts page: ${cards.length} cards`);
    };
    const roundTrip = async () => {
      await h.db.execute(sql`select 1`);
    };

    const warm = Math.min(50, options.requests);
    await measure(warm, options.concurrency, poll);
    await measure(warm, options.concurrency, page);
    await measure(warm, options.concurrency, roundTrip);
    const status = await measure(options.requests, options.concurrency, poll);
    const pageResult = await measure(options.requests, options.concurrency, page);
    const rt = await measure(options.requests, options.concurrency, roundTrip);
    return { ...options, status, page: pageResult, roundTrip: { p50: rt.p50, p99: rt.p99 } };
  } finally {
    restoreQuery();
    await h.close();
  }
}
