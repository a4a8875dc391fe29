import diagnosticsChannel from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { peekProcessSingleton, setProcessSingleton } from "@/lib/process-registry";
import { clientAddressFrom, clientAddressHeader } from "./client-address";

/**
 * Stamps the client address into every request of this process's HTTP servers, `next start`'s
 * included. A Next.js route handler gets a Request without the socket, and Next only fills
 * `x-forwarded-for` from the socket when the client did not send one, so a client-sent
 * `X-Forwarded-For` would reach the app unchanged. Node publishes each incoming request on the
 * `http.server.request.start` diagnostics channel (https://nodejs.org/api/diagnostics_channel.html#http)
 * synchronously, before the server's 'request' listeners run: that is where the socket peer is
 * still at hand and the header can be set before Next.js reads `req.headers`.
 */
export function stampClientAddress(request: IncomingMessage, trustedHops: number): void {
  const header = clientAddressHeader();
  const address = clientAddressFrom({ peer: request.socket?.remoteAddress, forwardedFor: request.headers["x-forwarded-for"] }, trustedHops);
  if (address) request.headers[header] = address;
  else delete request.headers[header];
}

const CHANNEL = "http.server.request.start";

declare module "@/lib/process-registry" {
  interface ProcessSlots {
    /** The removal of the installed stamp. */
    clientAddressStamp: () => void;
  }
}

/** Installs the stamp for this process (from instrumentation), replacing an earlier one; returns its removal. */
export function installClientAddressStamp(trustedHops: number): () => void {
  peekProcessSingleton("clientAddressStamp")?.();
  const onRequest = (message: unknown) => stampClientAddress((message as { request: IncomingMessage }).request, trustedHops);
  diagnosticsChannel.subscribe(CHANNEL, onRequest);
  const uninstall = () => {
    diagnosticsChannel.unsubscribe(CHANNEL, onRequest);
    if (peekProcessSingleton("clientAddressStamp") === uninstall) setProcessSingleton("clientAddressStamp", undefined);
  };
  setProcessSingleton("clientAddressStamp", uninstall);
  return uninstall;
}
