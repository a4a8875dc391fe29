import { getConfig } from "@/lib/config/config";
import { getDatabaseHandle } from "@/lib/db";

/** Start-up work of one server instance (called from `instrumentation.ts`). */
export async function startServerRuntime(): Promise<void> {
  try {
    getConfig();
  } catch (error) {
    console.error(`[socialflow] ${(error as Error).message}`);
    process.exit(1);
  }
  await getDatabaseHandle();
}
