/**
 * Moves every stored token to the primary key (docs/security.md S28), for `npm run keys:rotate`.
 *
 * - Keyset pagination (`where id > lastId order by id limit N`): memory stays flat, and a run
 *   that was interrupted simply starts again — rows already moved are skipped because
 *   `needsReencryption` is false for them.
 * - Compare-and-set writes (`where id = ? and <every encrypted column> = <what was read>`): a
 *   refresh that stored a new token between our read and our write wins; we never put a stale
 *   token back. A lost race re-reads the row and tries again a bounded number of times.
 * - Fail closed: a value that does not decrypt (unknown kid, wrong AAD, tampered, not an
 *   envelope) leaves its whole row untouched and is reported by table, id and field name only.
 *   Nothing here ever returns or reports a token, plaintext or ciphertext.
 * - No transaction spans a batch: each row is its own atomic UPDATE, so the command never holds
 *   row locks that a concurrent refresh would wait on.
 */
import { and, asc, count, eq, gt, isNull, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Database } from "@/lib/db/client";
import { oauthStates, socialAccounts } from "@/lib/db/schema";
import type { TokenCipher } from "./token-cipher";

export type ReencryptTable = "social_accounts" | "oauth_states";

export type ReencryptProgress = {
  table: ReencryptTable;
  /** Rows visited so far in this table. */
  scanned: number;
  /** Rows whose ciphertexts were rewritten under the primary key. */
  rewritten: number;
  /** Rows that did not decrypt and were left untouched. */
  failed: number;
  /** Rows counted when the table's pass began (rows inserted meanwhile may push `scanned` past it). */
  total: number;
  /** Rows already under the primary key, or deleted / rotated by someone else meanwhile. */
  skipped: number;
  /** Rows still losing the compare-and-set after every retry (left for the next run). */
  conflicts: number;
};

export type ReencryptTableSummary = Omit<ReencryptProgress, "table"> & { table: ReencryptTable };

/** A row that could not be moved. Ids and column names only — never a value. */
export type ReencryptFailure = {
  table: ReencryptTable;
  id: string;
  reason: "decrypt_failed" | "conflict";
  /** The columns involved (for decrypt_failed: the ones that did not decrypt). */
  fields: string[];
};

export type ReencryptSummary = {
  tables: ReencryptTableSummary[];
  failures: ReencryptFailure[];
  /** True when every visited row is now under the primary key (no failure, no conflict). */
  ok: boolean;
};

export type ReencryptOptions = {
  /** Rows per page (default 500). */
  batchSize?: number;
  /** Called after every batch (once for an empty table). An exception aborts the run where it stands. */
  onProgress?: (progress: ReencryptProgress) => void;
  /**
   * Test seam: awaited between reading a row and writing it back, to let a test change the row
   * underneath (a concurrent refresh). Not for production use.
   */
  beforeWrite?: (row: { table: ReencryptTable; id: string }) => void | Promise<void>;
};

/** How many times a row that lost the compare-and-set is re-read and retried. */
const MAX_ATTEMPTS = 3;
const MAX_BATCH_SIZE = 10_000;

type Field = { field: string; key: string; column: PgColumn };
type Target = { table: ReencryptTable; source: PgTable; id: PgColumn; fields: Field[] };

/** The AAD `field` names are the SQL column names, as everywhere else in the app. */
const TARGETS: Target[] = [
  {
    table: "social_accounts",
    source: socialAccounts,
    id: socialAccounts.id,
    fields: [
      { field: "access_token", key: "accessToken", column: socialAccounts.accessToken },
      { field: "refresh_token", key: "refreshToken", column: socialAccounts.refreshToken },
    ],
  },
  {
    table: "oauth_states",
    source: oauthStates,
    id: oauthStates.id,
    fields: [{ field: "code_verifier", key: "codeVerifier", column: oauthStates.codeVerifier }],
  },
];

/** What one row looks like to this module: its id and each encrypted column's stored text. */
type Row = { id: string; values: Record<string, string | null> };

type RowOutcome =
  | { kind: "skipped" }
  | { kind: "rewritten" }
  | { kind: "failed"; fields: string[] }
  | { kind: "conflict" };

/** Re-encrypts every stored token that is not under the cipher's primary key. */
export async function reencryptAll(db: Database, cipher: TokenCipher, options: ReencryptOptions = {}): Promise<ReencryptSummary> {
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new RangeError(`batchSize must be an integer from 1 to ${MAX_BATCH_SIZE}`);
  }
  const tables: ReencryptTableSummary[] = [];
  const failures: ReencryptFailure[] = [];

  for (const target of TARGETS) {
    const [counted] = await db.select({ n: count() }).from(target.source);
    const progress: ReencryptProgress = {
      table: target.table,
      scanned: 0,
      rewritten: 0,
      failed: 0,
      total: Number(counted?.n ?? 0),
      skipped: 0,
      conflicts: 0,
    };

    let lastId: string | undefined;
    for (;;) {
      const batch = await readRows(db, target, lastId === undefined ? undefined : gt(target.id, lastId), batchSize);
      for (const row of batch) {
        const outcome = await moveRow(db, cipher, target, row, options.beforeWrite);
        progress.scanned += 1;
        if (outcome.kind === "skipped") progress.skipped += 1;
        else if (outcome.kind === "rewritten") progress.rewritten += 1;
        else if (outcome.kind === "failed") {
          progress.failed += 1;
          failures.push({ table: target.table, id: row.id, reason: "decrypt_failed", fields: outcome.fields });
        } else {
          progress.conflicts += 1;
          failures.push({ table: target.table, id: row.id, reason: "conflict", fields: target.fields.map((f) => f.field) });
        }
      }
      const last = batch.at(-1);
      if (last === undefined) break;
      lastId = last.id;
      options.onProgress?.({ ...progress });
      if (batch.length < batchSize) break;
    }
    if (progress.scanned === 0) options.onProgress?.({ ...progress });
    tables.push({ ...progress });
  }

  return { tables, failures, ok: failures.length === 0 };
}

/**
 * One row: decrypt each stale column under its own AAD, encrypt under the primary, and write
 * them back only if every encrypted column still holds what was read. On a lost race, re-read
 * and start over (the winner most likely wrote under the primary already, so it is skipped).
 */
async function moveRow(
  db: Database,
  cipher: TokenCipher,
  target: Target,
  first: Row,
  beforeWrite: ReencryptOptions["beforeWrite"],
): Promise<RowOutcome> {
  let row: Row | undefined = first;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    if (row === undefined) return { kind: "skipped" }; // deleted meanwhile: nothing left to protect

    const updates: Record<string, string> = {};
    const undecryptable: string[] = [];
    for (const { field, key } of target.fields) {
      const stored = row.values[field];
      if (stored === null || stored === undefined || !cipher.needsReencryption(stored)) continue;
      const aad = { table: target.table, rowId: row.id, field };
      try {
        updates[key] = cipher.encrypt(cipher.decrypt(stored, aad), aad);
      } catch {
        // TokenDecryptionError carries no detail by design; nothing about the value is kept.
        undecryptable.push(field);
      }
    }
    if (undecryptable.length > 0) return { kind: "failed", fields: undecryptable };
    if (Object.keys(updates).length === 0) return { kind: "skipped" };

    await beforeWrite?.({ table: target.table, id: row.id });
    if (await compareAndSet(db, target, row, updates)) return { kind: "rewritten" };

    const [again] = await readRows(db, target, eq(target.id, row.id), 1);
    row = again;
  }
  return row === undefined ? { kind: "skipped" } : { kind: "conflict" };
}

/**
 * `update … set <new ciphertexts> where id = ? and <each encrypted column> = <value read>`
 * (`is null` for a column read as null). True when the row was written.
 */
async function compareAndSet(db: Database, target: Target, row: Row, updates: Record<string, string>): Promise<boolean> {
  const conditions: SQL[] = [eq(target.id, row.id)];
  for (const { field, column } of target.fields) {
    const stored = row.values[field];
    conditions.push(stored === null || stored === undefined ? isNull(column) : eq(column, stored));
  }
  const written = await db
    .update(target.source)
    .set(updates as never)
    .where(and(...conditions))
    .returning({ id: target.id });
  return written.length === 1;
}

async function readRows(db: Database, target: Target, where: SQL | undefined, limit: number): Promise<Row[]> {
  const columns: Record<string, PgColumn> = { id: target.id };
  for (const { field, column } of target.fields) columns[`v_${field}`] = column;
  const rows = (await db
    .select(columns)
    .from(target.source)
    .where(where)
    .orderBy(asc(target.id))
    .limit(limit)) as Record<string, unknown>[];
  return rows.map((raw) => {
    const values: Record<string, string | null> = {};
    for (const { field } of target.fields) {
      const value = raw[`v_${field}`];
      values[field] = typeof value === "string" ? value : null;
    }
    return { id: String(raw.id), values };
  });
}

/** The tables and columns this module rewrites, for the command's help text and for tests. */
export const REENCRYPTED_COLUMNS: ReadonlyArray<{ table: ReencryptTable; fields: readonly string[] }> = TARGETS.map((t) => ({
  table: t.table,
  fields: t.fields.map((f) => f.field),
}));
