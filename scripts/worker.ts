/**
 * `npm run worker`: the refresh sweeper on its own, for deployments that keep web instances
 * free of background work (set REFRESH_WORKER=off on those). Any number may run against one
 * PostgreSQL; they share the due accounts without refreshing any twice.
 */
import { getDatabaseHandle } from "@/lib/db";
import { startAppSweeper, stopAppSweeper } from "@/lib/jobs/app-sweeper";
import { getConfig } from "@/lib/config/config";
import { getLogger } from "@/lib/log/logger";
import { checkKeysAtStartup } from "@/lib/crypto/startup-key-check";
import { closeProviderAgent } from "@/lib/connections/provider-agent";

async function main(): Promise<void> {
  getConfig();
  const handle = await getDatabaseHandle();
  // The same check as the web server's start-up: production refuses to start (main's catch).
  await checkKeysAtStartup();
  const idleMs = process.env.WORKER_IDLE_MS ? Number(process.env.WORKER_IDLE_MS) : undefined;
  await startAppSweeper({ idleMs });
  const stop = async () => {
    getLogger().info({ event: "worker.stopping" });
    await stopAppSweeper();
    await closeProviderAgent();
    await handle.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop());
  process.once("SIGINT", () => void stop());
}

main().catch((error: unknown) => {
  console.error(`[socialflow] worker failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
