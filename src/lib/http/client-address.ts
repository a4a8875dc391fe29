import { randomBytes } from "node:crypto";
import { isIP } from "node:net";
import { processSingleton } from "@/lib/process-registry";

/**
 * Which address is the client's (docs/deploy.md "Behind a proxy"). `X-Forwarded-For` is a list
 * each proxy APPENDS to, so only its right-most entries were written by proxies we run; anything
 * further left came from the client and can be anything (MDN, "X-Forwarded-For: Security and
 * privacy concerns"). With TRUSTED_PROXY_HOPS = N, the address is the N-th from the right of
 * [ ...X-Forwarded-For, socket peer ]: 0 = the socket peer itself (no proxy), 1 = the entry the
 * one proxy in front appended, and so on. When the list is shorter than N, the left-most entry
 * is used (the request passed fewer proxies; as Express's `trust proxy` with a hop count).
 */
export function clientAddressFrom(
  request: { peer: string | undefined; forwardedFor: string | string[] | undefined },
  trustedHops: number,
): string | undefined {
  const forwarded = (Array.isArray(request.forwardedFor) ? request.forwardedFor.join(",") : (request.forwardedFor ?? ""))
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  // Right to left: the socket peer first, then what each proxy appended.
  const chain = [request.peer ?? "", ...forwarded.reverse()];
  const picked = chain[Math.min(Math.max(0, Math.trunc(trustedHops)), chain.length - 1)];
  return picked === undefined ? undefined : plainAddress(picked);
}

/** An IP address without port, brackets or IPv4-mapped prefix; undefined for anything else. */
function plainAddress(value: string): string | undefined {
  let address = value;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(":"));
  if (/^::ffff:\d{1,3}(?:\.\d{1,3}){3}$/i.test(address)) address = address.slice(7);
  return isIP(address) ? address.toLowerCase() : undefined;
}

declare module "@/lib/process-registry" {
  interface ProcessSlots {
    clientAddressHeader: string;
  }
}

/**
 * The request header the server process stamps the client address into (client-address-stamp.ts),
 * and the one Better Auth's limiter reads. Its name is random per process: the stamp overwrites
 * it on every request it sees, and a client cannot send a copy that would survive even on a
 * request that reached the server before the stamp was installed (start-up), as it cannot know
 * the name. Kept in the process registry because Next.js bundles the instrumentation hook and
 * the route handlers separately within the one process.
 */
export function clientAddressHeader(): string {
  return processSingleton("clientAddressHeader", () => `x-socialflow-client-address-${randomBytes(8).toString("hex")}`);
}
