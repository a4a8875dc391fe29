import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { getConfig } from "@/lib/config/config";
import { getDb } from "@/lib/db";
import { getLogger } from "@/lib/log/logger";
import type { Database } from "@/lib/db/client";
import { getTikTokServices } from "@/lib/services";
import type { TikTokApiClient } from "@/lib/providers/tiktok/api-client";
import { getUploadConfig, type UploadConfig } from "./upload-config";
import { UploadStore } from "./upload-store";
import { UploadService } from "./upload-service";
import { UploadStatusPoller } from "./status-poller";
import { peekProcessSingleton, setProcessSingleton } from "@/lib/process-registry";

export interface UploadServices {
  service: UploadService;
  poller: UploadStatusPoller;
}

interface Built extends UploadServices {
  db: Database;
  api: TikTokApiClient;
  config: UploadConfig;
}

declare module "@/lib/process-registry" {
  interface ProcessSlots {
    uploads: Built;
  }
}

/**
 * The process's upload service and status poller, built on first use over the process's
 * database, TikTok client and upload configuration (rebuilt if one was replaced, as tests do). The poller starts
 * with it, so polling also runs in a process that was not started through the server runtime.
 */
export async function getUploadServices(): Promise<UploadServices> {
  const [db, tiktok] = await Promise.all([getDb(), getTikTokServices()]);
  const config = getUploadConfig();
  const current = peekProcessSingleton("uploads");
  if (current && current.db === db && current.api === tiktok.api && current.config === config) return current;
  if (current) void current.poller.stop();
  const store = new UploadStore(db);
  const holderRef: { poller?: UploadStatusPoller } = {};
  const service = new UploadService({
    store,
    api: tiktok.api,
    config,
    apiBaseUrl: getConfig().tiktok.apiBaseUrl,
    onSent: () => holderRef.poller?.wake(),
  });
  const poller = new UploadStatusPoller({ db, store, api: tiktok.api, config, activeIds: () => service.activeIds() });
  holderRef.poller = poller;
  const built: Built = { db, api: tiktok.api, config, service, poller };
  setProcessSingleton("uploads", built);
  poller.start();
  return built;
}

/**
 * Start-up (server-runtime.ts): resume status polling of uploads left in PROCESSING_* by a
 * previous run, sweep what a crash interrupted, and remove temporary files it left behind.
 */
export async function startUploadRuntime(): Promise<void> {
  try {
    await getUploadServices();
    await removeLeftoverFiles(getUploadConfig().tmpDir, 24 * 60 * 60_000);
  } catch (error) {
    // Uploads started later retry the set-up; the rest of the app must still start.
    getLogger().error({ event: "upload.runtime_start_failed", err: error });
  }
}

/** Tests and graceful shutdown: stop polling and let transfers in flight finish. */
export async function stopUploadRuntime(): Promise<void> {
  const current = peekProcessSingleton("uploads");
  setProcessSingleton("uploads", undefined);
  if (!current) return;
  await current.poller.stop();
  await current.service.settled();
}

async function removeLeftoverFiles(dir: string, olderThanMs: number): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const cutoff = Date.now() - olderThanMs;
  for (const name of names) {
    if (!name.endsWith(".upload")) continue;
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (info && info.mtimeMs < cutoff) await rm(file, { force: true });
  }
}
