import { getConfig } from "@/lib/config/config";
import { getDatabaseHandle } from "@/lib/db";
import { checkKeysAtStartup } from "@/lib/crypto/startup-key-check";
import { StoredKeyIdsMissingError } from "@/lib/crypto/stored-key-ids";
import { installClientAddressStamp } from "@/lib/http/client-address-stamp";

/** Start-up work of one server instance (called from `instrumentation.ts`). */
export async function startServerRuntime(): Promise<void> {
  let refreshWorker: boolean;
  try {
    refreshWorker = getConfig().refreshWorker;
    // First, so that as few requests as possible reach the app before their client address is known.
    installClientAddressStamp(getConfig().trustedProxyHops);
  } catch (error) {
    console.error(`[socialflow] ${(error as Error).message}`);
    process.exit(1);
  }
  await getDatabaseHandle();
  try {
    // Key ids stored tokens use but TOKEN_ENCRYPTION_KEYS lacks: reported; production refuses to start.
    await checkKeysAtStartup();
  } catch (error) {
    if (!(error instanceof StoredKeyIdsMissingError)) throw error;
    console.error(`[socialflow] ${error.message}`);
    process.exit(1);
  }
  // Resume status polling of uploads a previous run left in PROCESSING_* (issue #6).
  await (await import("@/lib/uploads/runtime")).startUploadRuntime();
  if (refreshWorker) {
    const { startAppSweeper, stopAppSweeper } = await import("@/lib/jobs/app-sweeper");
    await startAppSweeper();
    // Graceful shutdown: let the claimed batch finish so no lease is left behind.
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        void stopAppSweeper().finally(() => process.exit(0));
      });
    }
  }
}
