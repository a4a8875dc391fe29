import { getDb } from "@/lib/db";
import { getTikTokServices } from "@/lib/tiktok/services";
import { getLogger } from "@/lib/log/logger";
import { RefreshSweeper } from "./refresh-sweeper";

const holder = globalThis as unknown as { __socialflowSweeper?: RefreshSweeper };

/** Starts this process's refresh sweeper once (instrumentation.ts and `npm run worker`). */
export async function startAppSweeper(options: { idleMs?: number } = {}): Promise<RefreshSweeper> {
  if (holder.__socialflowSweeper) return holder.__socialflowSweeper;
  const [db, { refresher }] = await Promise.all([getDb(), getTikTokServices()]);
  const sweeper = new RefreshSweeper({ db, refresher, idleMs: options.idleMs });
  holder.__socialflowSweeper = sweeper;
  sweeper.start();
  getLogger().info({ event: "sweeper.started" });
  return sweeper;
}

export async function stopAppSweeper(): Promise<void> {
  const sweeper = holder.__socialflowSweeper;
  holder.__socialflowSweeper = undefined;
  await sweeper?.stop();
}
