import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { ConfigError, loadConfig } from "@/lib/config/config";
import { clientAddressFrom, clientAddressHeader } from "./client-address";
import { installClientAddressStamp, stampClientAddress } from "./client-address-stamp";

const from = (peer: string | undefined, forwardedFor: string | string[] | undefined, hops: number) =>
  clientAddressFrom({ peer, forwardedFor }, hops);

describe("client address", () => {
  it("S48: TRUSTED_PROXY_HOPS is 0 (no proxy) unless set; a non-count is refused", () => {
    const load = (env: Record<string, string>) =>
      loadConfig({
        NODE_ENV: "test",
        TOKEN_ENCRYPTION_KEYS: `c1:${randomBytes(32).toString("base64")}`,
        BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
        ...env,
      } as NodeJS.ProcessEnv);
    expect(load({}).trustedProxyHops).toBe(0);
    expect(load({ TRUSTED_PROXY_HOPS: "2" }).trustedProxyHops).toBe(2);
    for (const bad of ["-1", "1.5", "all", "11"]) expect(() => load({ TRUSTED_PROXY_HOPS: bad }), bad).toThrow(ConfigError);
  });

  it("S48: hops 0 → the socket peer, whatever X-Forwarded-For says", () => {
    expect(from("203.0.113.9", undefined, 0)).toBe("203.0.113.9");
    expect(from("203.0.113.9", "198.51.100.1", 0)).toBe("203.0.113.9");
    expect(from("::ffff:127.0.0.1", "198.51.100.1, 198.51.100.2", 0)).toBe("127.0.0.1");
    expect(from(undefined, "198.51.100.1", 0)).toBeUndefined();
  });

  it("S48: hops N → the N-th entry from the right of X-Forwarded-For (what our proxies appended)", () => {
    expect(from("10.0.0.2", "198.51.100.7", 1)).toBe("198.51.100.7");
    expect(from("10.0.0.2", "1.2.3.4, 198.51.100.7", 1)).toBe("198.51.100.7");
    expect(from("10.0.0.2", ["1.2.3.4", "198.51.100.7, 10.0.0.1"], 1)).toBe("10.0.0.1");
    expect(from("10.0.0.2", ["1.2.3.4", "198.51.100.7, 10.0.0.1"], 2)).toBe("198.51.100.7");
    // Fewer entries than hops: the left-most one (the request passed fewer proxies).
    expect(from("10.0.0.2", "198.51.100.7", 3)).toBe("198.51.100.7");
    expect(from("10.0.0.2", undefined, 1)).toBe("10.0.0.2");
  });

  it("S48: only IP addresses count (ports and brackets dropped); anything else is no address", () => {
    expect(from("10.0.0.2", "198.51.100.7:4711", 1)).toBe("198.51.100.7");
    expect(from("10.0.0.2", "[2001:DB8::1]:443", 1)).toBe("2001:db8::1");
    expect(from("10.0.0.2", "unknown", 1)).toBeUndefined();
    expect(from("10.0.0.2", "evil.example", 1)).toBeUndefined();
  });

  it("S48: the stamp overwrites a client-sent copy of its header, or removes it when no address is known", () => {
    const header = clientAddressHeader();
    expect(header).toMatch(/^x-socialflow-client-address-[0-9a-f]{16}$/);
    expect(clientAddressHeader()).toBe(header); // one name per process
    const request = (peer: string | undefined, headers: Record<string, string>) =>
      ({ socket: { remoteAddress: peer }, headers: { ...headers } }) as unknown as IncomingMessage;
    const spoofed = request("203.0.113.9", { [header]: "198.51.100.66", "x-forwarded-for": "198.51.100.1" });
    stampClientAddress(spoofed, 0);
    expect(spoofed.headers[header]).toBe("203.0.113.9");
    const unknown = request(undefined, { [header]: "198.51.100.66" });
    stampClientAddress(unknown, 0);
    expect(unknown.headers[header]).toBeUndefined();
  });

  it("S48: installed, it stamps every request of a real HTTP server before its handler runs", async () => {
    const header = clientAddressHeader();
    const uninstall = installClientAddressStamp(1);
    const server = createServer((req, res) => res.end(String(req.headers[header])));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const seen = await (await fetch(url, { headers: { "x-forwarded-for": "1.2.3.4, 198.51.100.7", [header]: "6.6.6.6" } })).text();
      expect(seen).toBe("198.51.100.7");
      uninstall();
      expect(await (await fetch(url, { headers: { [header]: "6.6.6.6" } })).text()).toBe("6.6.6.6");
    } finally {
      uninstall();
      server.close();
    }
  });
});
