/**
 * The HTTP server bootstrap both sandboxes share: URL splitting, the control plane (neither
 * counted nor logged), request logging, fault timing, body-size and crash answers, and a close()
 * that does not wait for hung requests. Routing of the network's own paths is the sandbox's.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { CONTROL_PREFIX } from "./control";
import { BodyTooLargeError, drain, readText, sendReply, type Reply } from "./http";
import type { RequestLogEntry } from "./types";

export const BODY_LIMIT = 1024 * 1024;

export interface SandboxServer {
  server: Server;
  close(): Promise<void>;
}

export interface RequestContext {
  method: string;
  /** Path only, as sent (no decoding). */
  path: string;
  /** The raw query string, without "?". */
  query: string;
  /** Logs the request under `endpoint`; the entry gets the response status when it is sent. */
  log(endpoint: string): void;
  /**
   * The timing part of a fault: "delay" waits, "hang" never answers (true: do not answer; close()
   * destroys the socket).
   */
  stall(fault: { kind: string; ms?: number } | undefined): Promise<boolean>;
}

export interface ServerSetup {
  state: { logRequest(method: string, path: string, endpoint: string): RequestLogEntry };
  control(method: string, path: string, query: string, body: string): Reply;
  /** A request outside the control plane. */
  handle(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void>;
  /** The 413 answer to a body over BODY_LIMIT (sent with `connection: close`). */
  tooLarge: Reply;
  /** The answer to a handler that threw. */
  internalError(): Reply;
}

export function createSandboxServer(setup: ServerSetup): SandboxServer {
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const query = q === -1 ? "" : rawUrl.slice(q + 1);
    const method = req.method ?? "GET";

    // Control plane: neither counted nor logged.
    if (path.startsWith(CONTROL_PREFIX) || path === CONTROL_PREFIX.slice(0, -1)) {
      const body = method === "GET" || method === "HEAD" ? (await drain(req), "") : await readText(req, BODY_LIMIT);
      sendReply(res, setup.control(method, path === CONTROL_PREFIX.slice(0, -1) ? CONTROL_PREFIX : path, query, body));
      return;
    }

    await setup.handle(req, res, {
      method,
      path,
      query,
      log: (endpoint) => {
        const entry = setup.state.logRequest(method, path, endpoint);
        res.on("finish", () => {
          entry.status = res.statusCode;
        });
      },
      stall: async (fault) => {
        if (fault?.kind === "hang") return true;
        if (fault?.kind === "delay") await sleep(fault.ms ?? 0);
        return false;
      },
    });
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((e: unknown) => {
      if (res.headersSent) return;
      if (e instanceof BodyTooLargeError) {
        sendReply(res, { ...setup.tooLarge, headers: { "content-type": "application/json", connection: "close" } });
        return;
      }
      sendReply(res, setup.internalError());
    });
  });
  // Longer than undici's default keep-alive so pooled client sockets are not reset under load.
  server.keepAliveTimeout = 30_000;
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        // Hung requests (fault "hang") and idle keep-alive sockets would keep close() waiting forever.
        for (const s of sockets) s.destroy();
      }),
  };
}
