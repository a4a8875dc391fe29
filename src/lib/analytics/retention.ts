import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";

const DAY_MS = 86_400_000;

/** The tables retention trims and the time column each is trimmed on. */
const TABLES = [
  { table: "video_stat_snapshots", key: sql`account_id, taken_at, video_id`, column: sql`taken_at` },
  { table: "account_stat_snapshots", key: sql`account_id, taken_at`, column: sql`taken_at` },
  // A video not seen for the whole retention has no snapshot left either.
  { table: "analytics_videos", key: sql`account_id, video_id`, column: sql`last_seen_at` },
] as const;

export type RetentionTable = (typeof TABLES)[number]["table"];

/**
 * Deletes snapshot rows older than `retentionDays`, at most `batchRows` per statement and
 * `maxBatches` statements per table per call, so one pass never holds long locks or bloats
 * a transaction; what is left is taken on the next pass. The time-ordered rows make the BRIN
 * index on the time column find them without scanning the table.
 */
export async function deleteExpiredSnapshots(
  db: Database,
  options: { now: Date; retentionDays: number; batchRows?: number; maxBatches?: number },
): Promise<Record<RetentionTable, number>> {
  const cutoff = new Date(options.now.getTime() - options.retentionDays * DAY_MS).toISOString();
  const batchRows = options.batchRows ?? 5000;
  const maxBatches = options.maxBatches ?? 20;
  const deleted = {} as Record<RetentionTable, number>;
  for (const { table, key, column } of TABLES) {
    deleted[table] = 0;
    for (let batch = 0; batch < maxBatches; batch++) {
      const name = sql.identifier(table);
      const result = (await db.execute(sql`
        with gone as (
          delete from ${name} where (${key}) in (select ${key} from ${name} where ${column} < ${cutoff} limit ${batchRows})
          returning 1
        )
        select count(*)::int as n from gone`)) as unknown as { rows: { n: number }[] };
      const n = Number(result.rows[0]?.n ?? 0);
      deleted[table] += n;
      if (n < batchRows) break;
    }
  }
  return deleted;
}
