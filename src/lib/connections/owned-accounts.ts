import { and, desc, eq, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { prebuilt } from "@/lib/db/prebuilt";
import { accountEvents, socialAccounts, type SocialAccountRow } from "@/lib/db/schema";
import { idSchema } from "@/lib/http/ids";

type Platform = SocialAccountRow["platform"];

/** Set by OwnedAccount's static block: the one place an OwnedAccount is made. */
let mint: (row: SocialAccountRow) => OwnedAccount;

/**
 * A connected account as seen by its owner: the only way routes, pages and services reach an
 * account, its videos, uploads and events (issue #11). Only this module constructs one, and
 * only from a row whose `user_id` is the owner it carries, so holding an `OwnedAccount` proves
 * the ownership check has happened — a cache or a TikTok call that takes one cannot run first.
 *
 * The brand is TypeScript's (a private constructor and a private member make the type nominal),
 * not a runtime `#field` or `instanceof`: a production build gives each route its own copy of
 * this module while the services are shared per process, so a runtime brand from one copy
 * would not be recognised by another.
 */
export class OwnedAccount {
  private readonly ownedBrand = true;
  /**
   * When `row` was read (performance.now(): monotonic, no wall-clock jumps). Lets a consumer
   * use a row read a moment ago instead of reading it again (TikTokApiClient.call).
   */
  readonly readAtMs = performance.now();

  private constructor(
    /** The SocialFlow user the row belongs to (`social_accounts.user_id`). */
    readonly userId: string,
    readonly row: SocialAccountRow,
  ) {}

  get id(): string {
    return this.row.id;
  }

  /** The same account with a re-read row (after a refresh); only from a row of the same owner. */
  withRow(row: SocialAccountRow): OwnedAccount {
    if (row.id !== this.row.id || row.userId !== this.userId) throw new Error("withRow: another account's row");
    return new OwnedAccount(this.userId, row);
  }

  static {
    mint = (row) => new OwnedAccount(row.userId, row);
  }
}

export interface OwnerAccounts {
  /** The owner's accounts, newest first. */
  list(): Promise<OwnedAccount[]>;
  /** The owner's account with this id; undefined for another user's, a removed or a malformed id. */
  get(accountId: string): Promise<OwnedAccount | undefined>;
  /** True when this owner disconnected this account (a repeated disconnect is then a success). */
  wasDisconnected(accountId: string): Promise<boolean>;
  /**
   * The owner's account, claimed for one disconnect (`disconnect_claim_id` = `claimId` until
   * `until`) with one conditional UPDATE: of any number of concurrent claims exactly one gets the
   * row (under READ COMMITTED a claim that waited on the row re-checks the condition against the
   * claim just written). Undefined for another user's, a removed or a malformed id, and while
   * another disconnect's claim has not lapsed by `now`.
   */
  claimForDisconnect(accountId: string, claim: { claimId: string; until: Date; now: Date }): Promise<OwnedAccount | undefined>;
}

// Every query below is built from `ofOwner(...)`: the owner's user_id is in each WHERE, and a
// query can only narrow it further (one id, one network). Each is built once (prebuilt.ts).
const ofOwner = (...narrower: SQL[]) => and(eq(socialAccounts.userId, sql.placeholder("userId")), ...narrower);
const byId = eq(socialAccounts.id, sql.placeholder("accountId"));
const byPlatform = eq(socialAccounts.platform, sql.placeholder("platform"));
const newestFirst = desc(socialAccounts.createdAt);

const ownedRows = prebuilt("owned_rows", (db) => db.select().from(socialAccounts).where(ofOwner()).orderBy(newestFirst));
const ownedRowsOfPlatform = prebuilt("owned_rows_of_platform", (db) => db.select().from(socialAccounts).where(ofOwner(byPlatform)).orderBy(newestFirst));
const ownedRow = prebuilt("owned_row", (db) => db.select().from(socialAccounts).where(ofOwner(byId)));
const ownedRowOfPlatform = prebuilt("owned_row_of_platform", (db) => db.select().from(socialAccounts).where(ofOwner(byId, byPlatform)));

/**
 * Every query here has `user_id = userId` in its WHERE clause: there is no other way in. With a
 * platform, only that network's accounts (a provider's routes); without, all of them.
 */
export function accountsOf(db: Database, userId: string, platform?: Platform): OwnerAccounts {
  return {
    async list() {
      const rows = platform === undefined ? await ownedRows(db).execute({ userId }) : await ownedRowsOfPlatform(db).execute({ userId, platform });
      return rows.map(mint);
    },
    async get(accountId) {
      if (!idSchema.safeParse(accountId).success) return undefined;
      const [row] =
        platform === undefined
          ? await ownedRow(db).execute({ accountId, userId })
          : await ownedRowOfPlatform(db).execute({ accountId, userId, platform });
      return row && mint(row);
    },
    async wasDisconnected(accountId) {
      if (!idSchema.safeParse(accountId).success) return false;
      const rows = await db
        .select({ id: accountEvents.id })
        .from(accountEvents)
        .where(and(eq(accountEvents.accountId, accountId), eq(accountEvents.userId, userId), eq(accountEvents.kind, "disconnected")))
        .limit(1);
      return rows.length > 0;
    },
    async claimForDisconnect(accountId, { claimId, until, now }) {
      if (!idSchema.safeParse(accountId).success) return undefined;
      const [row] = await db
        .update(socialAccounts)
        .set({ disconnectClaimId: claimId, disconnectClaimUntil: until })
        .where(
          and(
            eq(socialAccounts.userId, userId),
            eq(socialAccounts.id, accountId),
            platform === undefined ? undefined : eq(socialAccounts.platform, platform),
            or(isNull(socialAccounts.disconnectClaimUntil), lt(socialAccounts.disconnectClaimUntil, now)),
          ),
        )
        .returning();
      return row && mint(row);
    },
  };
}
