/**
 * Listening: both sandboxes' start functions end here.
 */
import type { AddressInfo } from "node:net";
import type { SandboxServer } from "./server";

/**
 * Listens on host:port (0: any free port), records the base URL in `state`, and returns it with an
 * idempotent close().
 */
export async function listen(http: SandboxServer, state: { baseUrl: string }, port: number, host: string): Promise<{ url: string; close(): Promise<void> }> {
  const { server, close } = http;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  const url = `http://${shownHost}:${addr.port}`;
  state.baseUrl = url;
  let closed: Promise<void> | undefined;
  return { url, close: () => (closed ??= close()) };
}
