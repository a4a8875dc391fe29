import type { Logger } from "pino";

export interface SweepLoopOptions {
  /** One batch; answers how many rows it claimed. */
  sweepOnce(): Promise<number>;
  /** Work between batches (reconnect checks, retention); handles its own errors. */
  betweenSweeps(): Promise<void>;
  /** A batch smaller than this means nothing more is due: the loop sleeps `idleMs`. */
  batchSize: number;
  idleMs: number;
  logger: Logger;
  /** The log event of a batch that threw (the database was unreachable, say). */
  failedEvent: string;
}

/**
 * The background loop both sweepers run (token refresh, analytics snapshots): batch after batch
 * while work is due, a pause when none is, and a graceful stop that lets the batch in hand
 * finish, so no lease is left behind.
 */
export class SweepLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: SweepLoopOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const { sweepOnce, betweenSweeps, batchSize, idleMs, logger, failedEvent } = this.options;
    this.loop = (async () => {
      while (this.running) {
        let claimed = 0;
        try {
          claimed = await sweepOnce();
        } catch (error) {
          // Database unreachable (restart, failover): log, wait, try again.
          logger.error({ event: failedEvent, err: error });
        }
        await betweenSweeps();
        if (claimed < batchSize && this.running) await this.sleep(idleMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** Runs `work` on every item with at most `concurrency` at once (a claimed batch's rows). */
export async function forEachBounded<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
