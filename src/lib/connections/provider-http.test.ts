import diagnosticsChannel from "node:diagnostics_channel";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ProviderRequestError } from "./errors";
import { closeProviderAgent } from "./provider-agent";
import { PROVIDER_EXCHANGE_CHANNEL, providerRequest, setProviderFetchForTests, type ProviderExchangeMessage } from "./provider-http";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A provider stand-in on 127.0.0.1: each test sets its answer; the server counts sockets and paths. */
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    paths.push(req.url ?? "");
    handler(req, res, Buffer.concat(chunks).toString("utf8"));
  });
});
let handler: Handler = (_req, res) => res.end();
const paths: string[] = [];
const sockets = new Set<Socket>();
let connections = 0;
let base = "";

beforeAll(async () => {
  server.on("connection", (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  paths.length = 0;
  setProviderFetchForTests(undefined);
});
afterAll(async () => {
  await closeProviderAgent();
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const json = (body: unknown, status = 200, contentType = "application/json; charset=utf-8"): Handler => (_req, res) => {
  res.writeHead(status, { "content-type": contentType });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
};
const get = (path = "/v2/user/info/", timeoutMs?: number) =>
  providerRequest(`${base}${path}`, { method: "GET", headers: { Authorization: "Bearer act.secret" } }, { timeoutMs });
const failureOf = async (request: Promise<unknown>) => {
  const error = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderRequestError);
  return error as ProviderRequestError;
};

describe("providerRequest on the keep-alive agent", () => {
  it("sends method, headers, query and form body as given, and parses a JSON object", async () => {
    let seen: { method?: string; url?: string; auth?: string; type?: string; body?: string } = {};
    handler = (req, res, body) => {
      seen = { method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers["content-type"], body };
      json({ access_token: "act.1", expires_in: 60 })(req, res, body);
    };
    const response = await providerRequest(`${base}/v2/oauth/token/?x=1`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: "Basic abc" },
      body: "grant_type=refresh_token&refresh_token=rft.1",
    });
    expect(response).toEqual({ status: 200, json: { access_token: "act.1", expires_in: 60 } });
    expect(seen).toEqual({
      method: "POST",
      url: "/v2/oauth/token/?x=1",
      auth: "Basic abc",
      type: "application/x-www-form-urlencoded",
      body: "grant_type=refresh_token&refresh_token=rft.1",
    });
  });

  it("reuses one connection for sequential requests to the same origin", async () => {
    handler = json({ ok: true });
    await get(); // warm: the agent may already hold a socket from the test before
    const before = connections;
    for (let i = 0; i < 5; i++) expect((await get()).status).toBe(200);
    expect(connections).toBe(before);
  });

  it("a non-2xx status is an answer, not an error: status and parsed body", async () => {
    handler = json({ error: "invalid_grant" }, 400);
    expect(await get()).toEqual({ status: 400, json: { error: "invalid_grant" } });
  });

  it("bodies that are not a JSON object parse to undefined (HTML, malformed JSON, an array, a non-JSON type)", async () => {
    for (const [body, type] of [
      ["<!DOCTYPE html><p>secret-html</p>", "text/html"],
      ['{"access_token":"act.trunc', "application/json"],
      ['[{"error":"ok"}]', "application/json"],
      ['{"access_token":"act.1"}', "text/plain"],
      ["", "application/json"],
    ] as const) {
      handler = json(body, 200, type);
      expect(await get(), body).toEqual({ status: 200, json: undefined });
    }
    handler = json({ a: 1 }, 200, "Application/JSON");
    expect((await get()).json).toEqual({ a: 1 });
  });

  it("a body over 256 KiB is malformed_response, with the status and nothing of the body", async () => {
    handler = json({ filler: "x".repeat(300 * 1024), marker: "secret-body" });
    const error = await failureOf(get());
    expect(error.kind).toBe("malformed_response");
    expect(error.status).toBe(200);
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain("secret-body");
    // The agent is still usable afterwards.
    handler = json({ ok: true });
    expect((await get()).json).toEqual({ ok: true });
  });

  it("a redirect is refused as a network error and its target is never requested", async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      paths.length = 0;
      handler = (req, res) => {
        res.writeHead(status, { location: `${base}/elsewhere` });
        res.end();
      };
      const error = await failureOf(get());
      expect(error.kind, String(status)).toBe("network");
      expect(paths).toEqual(["/v2/user/info/"]);
    }
  });

  it("no answer within the timeout is a timeout, whether the headers or the body are late", async () => {
    handler = () => {}; // never answers
    expect((await failureOf(get("/hang", 100))).kind).toBe("timeout");

    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"access_token":'); // and nothing more
    };
    const error = await failureOf(get("/slow-body", 100));
    expect(error.kind).toBe("timeout");
    expect(error.status).toBe(200);
  });

  it("an unreachable origin is a network error", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failureOf(providerRequest(`http://127.0.0.1:${port}/`, { method: "GET", headers: {} }));
    expect(error.kind).toBe("network");
  });

  it("publishes each exchange's bound on the exchange channel (when someone listens)", async () => {
    handler = json({ ok: true });
    const seen: ProviderExchangeMessage[] = [];
    const listener = (message: unknown) => seen.push(message as ProviderExchangeMessage);
    diagnosticsChannel.subscribe(PROVIDER_EXCHANGE_CHANNEL, listener);
    try {
      await get("/a", 1234);
      await get("/b");
    } finally {
      diagnosticsChannel.unsubscribe(PROVIDER_EXCHANGE_CHANNEL, listener);
    }
    expect(seen.map((m) => m.timeoutMs)).toEqual([1234, 10_000]);
    for (const m of seen) expect(m.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("an installed test fetch replaces the agent; options.fetch wins over it", async () => {
    handler = json({ from: "network" });
    setProviderFetchForTests(async () => Response.json({ from: "installed" }));
    expect((await get()).json).toEqual({ from: "installed" });
    const own = await providerRequest(`${base}/`, { method: "GET", headers: {} }, { fetch: async () => Response.json({ from: "option" }) });
    expect(own.json).toEqual({ from: "option" });
    expect(paths).toEqual([]);
  });

  it("after the agent is closed, the next request opens a new one", async () => {
    handler = json({ ok: true });
    await closeProviderAgent();
    expect((await get()).json).toEqual({ ok: true });
  });
});
