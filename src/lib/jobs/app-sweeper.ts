import { getConfig } from "@/lib/config/config";
import { getDb } from "@/lib/db";
import { getAppServices } from "@/lib/services";
import { getLogger } from "@/lib/log/logger";
import { metricsLogFields } from "@/lib/observability/metrics";
import { RefreshSweeper } from "@/lib/connections/refresh-sweeper";

const holder = globalThis as unknown as { __socialflowSweeper?: RefreshSweeper; __socialflowMetricLog?: NodeJS.Timeout };

/** Starts this process's refresh sweeper once (instrumentation.ts and `npm run worker`). */
export async function startAppSweeper(options: { idleMs?: number } = {}): Promise<RefreshSweeper> {
  if (holder.__socialflowSweeper) return holder.__socialflowSweeper;
  const [db, { refresher }] = await Promise.all([getDb(), getAppServices()]);
  const sweeper = new RefreshSweeper({ db, refresher, idleMs: options.idleMs });
  holder.__socialflowSweeper = sweeper;
  sweeper.start();
  getLogger().info({ event: "sweeper.started" });
  startMetricLog();
  return sweeper;
}

/**
 * Every METRICS_LOG_INTERVAL_MS (default 60 s; 0 = off), one `event: "metric"` line with this
 * process's counters: the worker has no HTTP port for /api/metrics (docs/observability.md).
 */
function startMetricLog(): void {
  const intervalMs = getConfig().metrics.logIntervalMs;
  if (intervalMs <= 0 || holder.__socialflowMetricLog) return;
  holder.__socialflowMetricLog = setInterval(() => {
    getLogger().info({ event: "metric", counters: metricsLogFields() });
  }, intervalMs);
  holder.__socialflowMetricLog.unref();
}

export async function stopAppSweeper(): Promise<void> {
  if (holder.__socialflowMetricLog) clearInterval(holder.__socialflowMetricLog);
  holder.__socialflowMetricLog = undefined;
  const sweeper = holder.__socialflowSweeper;
  holder.__socialflowSweeper = undefined;
  await sweeper?.stop();
}
