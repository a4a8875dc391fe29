import { AsyncLocalStorage } from "node:async_hooks";
import { workUnitAsyncStorage } from "next/dist/server/app-render/work-unit-async-storage.external";
import { processSingleton } from "@/lib/process-registry";
import { REQUEST_ID_HEADER } from "./request-id";

interface RequestContext {
  requestId: string;
}

declare module "@/lib/process-registry" {
  interface ProcessSlots {
    requestContext: AsyncLocalStorage<RequestContext>;
  }
}

// One store per process, whichever bundle loads this module first (Next may load it twice).
const storage = processSingleton("requestContext", () => new AsyncLocalStorage<RequestContext>());

/** Runs `fn` with `requestId` as the current request (scripts, tests, anything outside Next). */
export function withRequestContext<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

/**
 * The id of the request being served, for log lines: set explicitly with withRequestContext,
 * or — inside a Next.js route handler or page — the `x-request-id` header the proxy put on the
 * request (read from Next's own per-request store, which is how `headers()` works). Undefined
 * outside any request (the sweeper, start-up).
 */
export function currentRequestId(): string | undefined {
  const own = storage.getStore();
  if (own) return own.requestId;
  try {
    const store = workUnitAsyncStorage.getStore() as { type?: string; headers?: Headers } | undefined;
    if (store?.type === "request") return store.headers?.get(REQUEST_ID_HEADER) ?? undefined;
  } catch {
    // Next's internals moved: logs lose the id, nothing else does.
  }
  return undefined;
}
