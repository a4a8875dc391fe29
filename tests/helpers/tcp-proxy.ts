import net from "node:net";

export interface TcpProxyOptions {
  /** Where connections are forwarded (loopback only: this is a test tool). */
  targetHost: string;
  targetPort: number;
  /**
   * Looks at every client→server chunk before it is forwarded. Returning true cuts every
   * connection (this chunk is never delivered) and blocks new ones until `unblock()`.
   * The PostgreSQL and Redis protocols carry their commands as plain text, so a test can
   * cut at the exact statement it wants (e.g. `insert into "account_events"`).
   */
  cutWhen?: (chunk: Buffer) => boolean;
}

export interface TcpProxy {
  readonly port: number;
  /** `scheme://user@127.0.0.1:<port>/path`: the target URL with host and port replaced. */
  urlFor(targetUrl: string): string;
  /** Resets every open connection (both sides); new ones are still accepted. */
  cutAll(): void;
  /** Cuts every connection and refuses new ones (accepted, then reset at once) until `unblock()`. */
  block(): void;
  unblock(): void;
  /** Accepted connections over the proxy's life, and those open now. */
  stats(): { accepted: number; open: number; refused: number; cuts: number };
  /** Waits until `predicate(stats)` holds (polling), or throws after `timeoutMs`. */
  waitFor(predicate: (s: ReturnType<TcpProxy["stats"]>) => boolean, timeoutMs?: number): Promise<void>;
  setCutWhen(predicate: TcpProxyOptions["cutWhen"]): void;
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * A small TCP proxy on 127.0.0.1 between the app and a server it depends on (PostgreSQL,
 * Redis), so tests can make that server "go away" at a chosen moment without touching the
 * real server: `cutAll()` is a dropped network path, `block()` a server restarting.
 */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  if (!LOOPBACK.has(options.targetHost)) throw new Error(`tcp-proxy forwards to loopback only, not ${options.targetHost}`);
  let cutWhen = options.cutWhen;
  let blocked = false;
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  const counts = { accepted: 0, refused: 0, cuts: 0 };

  const destroyPair = (pair: { client: net.Socket; upstream: net.Socket }, reset: boolean) => {
    pairs.delete(pair);
    for (const socket of [pair.client, pair.upstream]) {
      if (socket.destroyed) continue;
      // A cut sends RST: the peer sees ECONNRESET, as on a real network failure.
      if (reset) socket.resetAndDestroy();
      else socket.destroy();
    }
  };
  const cutAll = () => {
    counts.cuts++;
    for (const pair of [...pairs]) destroyPair(pair, true);
  };

  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    client.on("error", () => {});
    if (blocked) {
      counts.refused++;
      client.resetAndDestroy();
      return;
    }
    counts.accepted++;
    const upstream = net.connect({ host: options.targetHost, port: options.targetPort });
    upstream.on("error", () => {});
    const pair = { client, upstream };
    pairs.add(pair);
    // A side closing normally (pool.end(), server shutdown) closes the other side normally.
    const end = () => destroyPair(pair, false);
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
    client.on("close", end);
    upstream.on("close", end);
    upstream.on("connect", () => client.resume());
    client.on("data", (chunk: Buffer) => {
      if (cutWhen?.(chunk)) {
        blocked = true;
        cutAll();
        return;
      }
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on("drain", () => client.resume());
    upstream.on("data", (chunk: Buffer) => {
      if (!client.write(chunk)) upstream.pause();
    });
    client.on("drain", () => upstream.resume());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  const proxy: TcpProxy = {
    port,
    urlFor(targetUrl) {
      const url = new URL(targetUrl);
      url.hostname = "127.0.0.1";
      url.port = String(port);
      return url.toString();
    },
    cutAll,
    block() {
      blocked = true;
      cutAll();
    },
    unblock() {
      blocked = false;
    },
    stats: () => ({ ...counts, open: pairs.size }),
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(proxy.stats())) {
        if (Date.now() > deadline) throw new Error(`tcp-proxy: condition not met in ${timeoutMs} ms (${JSON.stringify(proxy.stats())})`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    setCutWhen(predicate) {
      cutWhen = predicate;
    },
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}

/** Parses `host:port` out of a URL like postgres://… or redis://…, for `startTcpProxy`. */
export function targetOf(url: string, defaultPort: number): { targetHost: string; targetPort: number } {
  const parsed = new URL(url);
  return { targetHost: parsed.hostname, targetPort: parsed.port ? Number(parsed.port) : defaultPort };
}
