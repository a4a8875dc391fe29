/**
 * Start-up check (S59): every key id that stored ciphertexts name must be in the keyring.
 * A key dropped from TOKEN_ENCRYPTION_KEYS while rows still use it would otherwise surface one
 * account at a time as UNREADABLE; here it is reported at once, and a production instance
 * refuses to start. Cheap: one statement reading only the `v1.<kid>.` prefix of each value
 * (envelope.ts), over every encrypted column the re-encryption command knows (reencrypt.ts).
 */
import { sql, type SQL } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database } from "@/lib/db/client";
import { incrementMetric } from "@/lib/observability/metrics";
import { ENVELOPE_VERSION } from "./envelope";
import { REENCRYPTED_COLUMNS } from "./reencrypt";

/** Captures the kid of a well-formed envelope prefix (KID_PATTERN in keyring.ts); null otherwise. */
const KID_PREFIX = `^${ENVELOPE_VERSION}\\.([A-Za-z0-9_-]{1,32})\\.`;

/** "table.column" → rows whose value names a key id the keyring lacks. */
export type StoredKeyReport = { missingKeyIds: string[]; affectedRows: Record<string, number> };

export class StoredKeyIdsMissingError extends Error {
  readonly code = "stored_key_ids_missing" as const;
  constructor(report: StoredKeyReport) {
    const where = Object.entries(report.affectedRows)
      .filter(([, rows]) => rows > 0)
      .map(([column, rows]) => `${rows} in ${column}`)
      .join(", ");
    super(
      `TOKEN_ENCRYPTION_KEYS lacks key id(s) ${report.missingKeyIds.join(", ")} that stored tokens still use (${where}). ` +
        "Put those keys back (after the primary), restart, and run `npm run keys:rotate` before removing them again.",
    );
    this.name = "StoredKeyIdsMissingError";
  }
}

/** Per column and key id, how many stored values name it: one statement (a UNION ALL of GROUP BYs). */
export async function countStoredKeyIds(db: Database): Promise<{ column: string; keyId: string; rows: number }[]> {
  const parts: SQL[] = [];
  for (const { table, fields } of REENCRYPTED_COLUMNS) {
    for (const field of fields) {
      // Identifiers come from the fixed list above, never from input.
      const t = sql.identifier(table);
      const c = sql.identifier(field);
      parts.push(sql`select ${`${table}.${field}`}::text as "column", k.kid as "keyId", count(*)::int as "rows"
        from ${t} cross join lateral (select substring(${t}.${c} from ${KID_PREFIX}::text) as kid) k
        where k.kid is not null group by k.kid`);
    }
  }
  const result = (await db.execute(sql.join(parts, sql` union all `))) as unknown as { rows: { column: string; keyId: string; rows: number }[] };
  return result.rows.map((r) => ({ column: r.column, keyId: r.keyId, rows: Number(r.rows) }));
}

/**
 * Reports key ids in use that `keyIds` lacks: one `keys.missing` log line (ids and per-column
 * row counts; never a key or a value) and a metric. In production it then throws
 * StoredKeyIdsMissingError, naming the missing ids only.
 */
export async function checkStoredKeyIds(input: {
  db: Database;
  keyIds: ReadonlySet<string>;
  production: boolean;
  logger: Logger;
}): Promise<StoredKeyReport> {
  const counts = await countStoredKeyIds(input.db);
  const affectedRows: Record<string, number> = {};
  for (const { table, fields } of REENCRYPTED_COLUMNS) for (const field of fields) affectedRows[`${table}.${field}`] = 0;
  const missing = new Set<string>();
  for (const { column, keyId, rows } of counts) {
    if (input.keyIds.has(keyId)) continue;
    missing.add(keyId);
    affectedRows[column] = (affectedRows[column] ?? 0) + rows;
  }
  const report: StoredKeyReport = { missingKeyIds: [...missing].sort(), affectedRows };
  if (missing.size === 0) return report;

  input.logger[input.production ? "fatal" : "error"]({ event: "keys.missing", ...report, refused: input.production });
  incrementMetric("sf_stored_key_ids_missing_total", {}, missing.size);
  if (input.production) throw new StoredKeyIdsMissingError(report);
  return report;
}
