import type { Redis } from "ioredis";

import { processSingleton } from "@/lib/process-registry";

declare module "@/lib/process-registry" {
  interface ProcessSlots {
    /** One client per URL. */
    redis: Map<string, Redis>;
  }
}

/**
 * One lazily-connecting ioredis client per URL per process (`next build` imports modules:
 * never connect at import time). Commands fail fast while Redis is down instead of queueing,
 * so callers can fall back (the rate limiter's insurance limiter).
 */
export async function getRedis(url: string): Promise<Redis> {
  const clients = processSingleton("redis", () => new Map<string, Redis>());
  const existing = clients.get(url);
  if (existing) return existing;
  const { Redis: RedisClient } = await import("ioredis");
  const client = new RedisClient(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  // Connection errors are expected during an outage; the limiter degrades, the process lives.
  client.on("error", () => {});
  client.connect().catch(() => {});
  clients.set(url, client);
  return client;
}
