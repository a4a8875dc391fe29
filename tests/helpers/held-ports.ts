/**
 * Ports held open on 127.0.0.1 the way another program would hold them, for tests of what a start
 * script does with a taken port. Release them in afterEach with releaseHeldPorts().
 */
import { createServer, type Server } from "node:net";

const held: Server[] = [];

/** Occupies a free port on 127.0.0.1 until releaseHeldPorts(). */
export function holdPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      held.push(server);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    });
  });
}

/** A port that was free a moment ago (held, then released). */
export async function freePort(): Promise<number> {
  const p = await holdPort();
  await new Promise((r) => held.pop()?.close(r));
  return p;
}

export async function releaseHeldPorts(): Promise<void> {
  await Promise.all(held.splice(0).map((s) => new Promise((r) => s.close(r))));
}
