import { and, eq, isNull, lte, or, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { prebuilt, valueFor } from "@/lib/db/prebuilt";
import { socialAccounts, type SocialAccountRow } from "@/lib/db/schema";
import type { Clock } from "@/lib/clock";
import type { RefreshOutcome, TokenRefresher } from "@/lib/connections/token-refresher";
import type { OwnedAccount } from "./owned-accounts";

/**
 * The Refresh button spends at most one token call per account in this window, whatever the
 * number of requests, tabs or app instances. Every token call is made with the app's client
 * credentials, so a button held down in one tab must not get the whole app throttled at TikTok
 * (https://developers.tiktok.com/doc/tiktok-api-v2-rate-limit). A token refreshed less than a
 * minute ago has nothing to gain from another refresh.
 */
export const MANUAL_REFRESH_WINDOW_MS = 60_000;

/**
 * How long a request that lost the minute to another attempt waits for that attempt's outcome:
 * the token call's time limit plus the refresher's own wait for a lease, rounded up.
 */
export const MANUAL_REFRESH_WAIT_MS = 15_000;
const POLL_MS = 100;

export type ManualRefreshOutcome = RefreshOutcome | { status: "throttled"; retryAfterSeconds: number };

export interface ManualRefreshDeps {
  db: Database;
  refresher: Pick<TokenRefresher, "refresh">;
  clock: Clock;
  waitMs?: number;
}

/**
 * Coalesces the user's "Refresh" requests for an account (issue #11):
 *  - refreshed less than a minute ago (by anyone: the button, the sweeper, a connect) → the
 *    current expiry, TikTok not called;
 *  - otherwise the request claims the account's minute in PostgreSQL (`manual_refresh_at`, one
 *    conditional UPDATE, so of any number of requests on any number of instances one wins) and
 *    only the winner calls the refresher;
 *  - a loser never calls TikTok: it shares the winner's answer when it can (in this process, the
 *    winner's promise; elsewhere, the row once that attempt is over), so nobody is told "failed"
 *    or "try later" about a refresh that happened. If the attempt failed, or has not finished
 *    after MANUAL_REFRESH_WAIT_MS, the answer is "throttled" until the minute is over.
 * Events are the refresher's, written once per token call, so they cannot multiply.
 */
export class ManualRefresh {
  private readonly pending = new Map<string, { attempt: Promise<RefreshOutcome>; claimedAt: Date }>();
  private readonly waitMs: number;

  constructor(private readonly deps: ManualRefreshDeps) {
    this.waitMs = deps.waitMs ?? MANUAL_REFRESH_WAIT_MS;
  }

  async refresh(owned: OwnedAccount): Promise<ManualRefreshOutcome> {
    const account = owned.row;
    const now = this.deps.clock.now();
    if (account.status === "ACTIVE" && refreshedWithinWindow(account, now)) return { status: "fresh", tokenExpiry: account.tokenExpiry };

    if (await claimManualRefresh(this.deps.db, account, now)) {
      const attempt = this.deps.refresher.refresh(account.id, { force: true });
      const entry = { attempt, claimedAt: now };
      this.pending.set(account.id, entry);
      try {
        return await attempt;
      } finally {
        if (this.pending.get(account.id) === entry) this.pending.delete(account.id);
      }
    }

    const running = this.pending.get(account.id);
    if (running) {
      const outcome = await running.attempt;
      return outcome.status === "failed" ? this.throttled(running.claimedAt) : outcome;
    }
    return this.awaitOtherAttempt(account);
  }

  /** Another instance (or the sweeper) holds the minute: read its outcome from the row. */
  private async awaitOtherAttempt(account: Pick<SocialAccountRow, "id" | "userId">): Promise<ManualRefreshOutcome> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const [row] = await this.deps.db
        .select()
        .from(socialAccounts)
        .where(and(eq(socialAccounts.id, account.id), eq(socialAccounts.userId, account.userId)));
      if (!row) return { status: "not_found" };
      if (row.status === "EXPIRED" || row.status === "REVOKED") return { status: "expired" };
      const now = this.deps.clock.now();
      if (refreshedWithinWindow(row, now)) return { status: "fresh", tokenExpiry: row.tokenExpiry };
      if (attemptOver(row, now) || Date.now() >= deadline) return this.throttled(row.manualRefreshAt ?? now);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private throttled(claimedAt: Date): ManualRefreshOutcome {
    const left = claimedAt.getTime() + MANUAL_REFRESH_WINDOW_MS - this.deps.clock.now().getTime();
    return { status: "throttled", retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)) };
  }
}

/**
 * Claims the account's manual-refresh minute: true for exactly one caller per window. Scoped
 * to the owner, and refused while the token is less than a minute old.
 */
export async function claimManualRefresh(db: Database, account: Pick<SocialAccountRow, "id" | "userId">, now: Date): Promise<boolean> {
  const windowStart = new Date(now.getTime() - MANUAL_REFRESH_WINDOW_MS);
  const rows = await claimStatement(db).execute({ id: account.id, userId: account.userId, now, windowStart });
  return rows.length > 0;
}

// Every Refresh press runs it: built once (src/lib/db/prebuilt.ts).
const claimStatement = prebuilt("manual_refresh_claim", (db) =>
  db
    .update(socialAccounts)
    .set({ manualRefreshAt: valueFor(socialAccounts.manualRefreshAt, "now") })
    .where(
      and(
        eq(socialAccounts.id, sql.placeholder("id")),
        eq(socialAccounts.userId, sql.placeholder("userId")),
        or(isNull(socialAccounts.manualRefreshAt), lte(socialAccounts.manualRefreshAt, sql.placeholder("windowStart"))),
        or(isNull(socialAccounts.lastRefreshedAt), lte(socialAccounts.lastRefreshedAt, sql.placeholder("windowStart"))),
      ),
    )
    .returning({ id: socialAccounts.id }),
);

function refreshedWithinWindow(row: Pick<SocialAccountRow, "lastRefreshedAt">, now: Date): boolean {
  return row.lastRefreshedAt !== null && row.lastRefreshedAt.getTime() > now.getTime() - MANUAL_REFRESH_WINDOW_MS;
}

/**
 * The attempt that claimed the minute has ended without a new token: nobody holds the refresh
 * lease, and the row was written at or after the claim (a failure is recorded with the time).
 */
function attemptOver(row: SocialAccountRow, now: Date): boolean {
  const leaseHeld = row.refreshLeaseUntil !== null && row.refreshLeaseUntil.getTime() > now.getTime();
  if (leaseHeld) return false;
  return row.manualRefreshAt === null || row.updatedAt.getTime() >= row.manualRefreshAt.getTime();
}
