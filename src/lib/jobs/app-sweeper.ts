import { getConfig } from "@/lib/config/config";
import { getDb } from "@/lib/db";
import { getAppServices } from "@/lib/services";
import { getLogger } from "@/lib/log/logger";
import { metricsLogFields } from "@/lib/observability/metrics";
import { RefreshSweeper } from "@/lib/connections/refresh-sweeper";
import { SnapshotSweeper } from "@/lib/analytics/snapshot-sweeper";
import { peekProcessSingleton, setProcessSingleton } from "@/lib/process-registry";

declare module "@/lib/process-registry" {
  interface ProcessSlots {
    sweeper: RefreshSweeper;
    /** Analytics snapshots: its own loop next to the refresh sweeper (issue #13). */
    snapshotSweeper: SnapshotSweeper;
    /** The timer of the periodic `event: "metric"` log line. */
    metricLog: NodeJS.Timeout;
  }
}

/** Starts this process's refresh sweeper once (instrumentation.ts and `npm run worker`). */
export async function startAppSweeper(options: { idleMs?: number } = {}): Promise<RefreshSweeper> {
  const running = peekProcessSingleton("sweeper");
  if (running) return running;
  const [db, { refresher, accountStats }] = await Promise.all([getDb(), getAppServices()]);
  const sweeper = new RefreshSweeper({ db, refresher, idleMs: options.idleMs });
  setProcessSingleton("sweeper", sweeper);
  sweeper.start();
  getLogger().info({ event: "sweeper.started" });
  const { intervalMs, retentionDays } = getConfig().analytics;
  const snapshots = new SnapshotSweeper({ db, sources: accountStats, intervalMs, retentionDays, idleMs: options.idleMs });
  setProcessSingleton("snapshotSweeper", snapshots);
  snapshots.start();
  getLogger().info({ event: "analytics.started", intervalMs });
  startMetricLog();
  return sweeper;
}

/**
 * Every METRICS_LOG_INTERVAL_MS (default 60 s; 0 = off), one `event: "metric"` line with this
 * process's counters: the worker has no HTTP port for /api/metrics (docs/observability.md).
 */
function startMetricLog(): void {
  const intervalMs = getConfig().metrics.logIntervalMs;
  if (intervalMs <= 0 || peekProcessSingleton("metricLog")) return;
  const timer = setInterval(() => {
    getLogger().info({ event: "metric", counters: metricsLogFields() });
  }, intervalMs);
  timer.unref();
  setProcessSingleton("metricLog", timer);
}

export async function stopAppSweeper(): Promise<void> {
  const timer = peekProcessSingleton("metricLog");
  if (timer) clearInterval(timer);
  setProcessSingleton("metricLog", undefined);
  const sweeper = peekProcessSingleton("sweeper");
  setProcessSingleton("sweeper", undefined);
  const snapshots = peekProcessSingleton("snapshotSweeper");
  setProcessSingleton("snapshotSweeper", undefined);
  await Promise.all([sweeper?.stop(), snapshots?.stop()]);
}
