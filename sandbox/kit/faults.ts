/**
 * The fault queue: the next N requests to an endpoint misbehave. What each fault answers is the
 * sandbox's own (its faults.ts); queueing, and the transport part of a fault, are shared.
 */
import type { Reply } from "./http";

interface QueuedFault<F> {
  fault: F;
  remaining: number;
}

export class FaultQueue<E extends string, F> {
  private readonly queues = new Map<E, QueuedFault<F>[]>();

  add(endpoint: E, fault: F, times: number): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError("times must be a positive integer");
    let q = this.queues.get(endpoint);
    if (q === undefined) {
      q = [];
      this.queues.set(endpoint, q);
    }
    q.push({ fault, remaining: times });
  }

  /** The fault for this request, if any (FIFO; each entry is used `times` times). */
  take(endpoint: E): F | undefined {
    const q = this.queues.get(endpoint);
    const head = q?.[0];
    if (q === undefined || head === undefined) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) q.shift();
    return head.fault;
  }

  pending(): { endpoint: E; fault: F; remaining: number }[] {
    const out: { endpoint: E; fault: F; remaining: number }[] = [];
    for (const [endpoint, q] of this.queues) for (const f of q) out.push({ endpoint, ...f });
    return out;
  }

  clear(): void {
    this.queues.clear();
  }
}

/** "wrong_content_type": the real answer, labelled text/plain. */
export function withFaultContentType(reply: Reply, fault: { kind: string } | undefined): Reply {
  if (fault?.kind === "wrong_content_type") reply.headers["content-type"] = "text/plain; charset=utf-8";
  return reply;
}
