import { sql } from "drizzle-orm";
import type { Database } from "./client";

export interface DatabaseHealth {
  ok: boolean;
  latencyMs: number;
}

/** Reachability check for `GET /api/health`: one trivial round trip, bounded in time. */
export async function checkDatabase(getDb: () => Promise<Database>, timeoutMs = 2000): Promise<DatabaseHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
    });
    await Promise.race([getDb().then((db) => db.execute(sql`select 1`)), timeout]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch {
    return { ok: false, latencyMs: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}
