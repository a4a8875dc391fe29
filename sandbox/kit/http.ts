/**
 * HTTP plumbing both sandboxes share: the Reply value handlers return, generic replies, body
 * reading with a size limit, sending, form parsing and HTML escaping. Transport only: each
 * network's own answer shapes (TikTok's flat/wrapped errors, Google's envelopes) stay in its
 * sandbox's http.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export const JSON_TYPE = "application/json; charset=utf-8";

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "content-type": JSON_TYPE, "cache-control": "no-store", ...headers }, body: JSON.stringify(value) };
}

export function htmlReply(status: number, html: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...headers }, body: html };
}

/** A generated image (avatars, covers): deterministic, so caches may keep it. */
export function svgReply(svg: string): Reply {
  return { status: 200, headers: { "content-type": "image/svg+xml", "cache-control": "public, max-age=3600" }, body: svg };
}

export function redirectReply(location: string): Reply {
  return { status: 302, headers: { location, "cache-control": "no-store", "referrer-policy": "no-referrer" }, body: "" };
}

export function emptyReply(status: number, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: "" };
}

// --- request bodies ----------------------------------------------------------------------------

export class BodyTooLargeError extends Error {
  constructor() {
    super("request body too large");
  }
}

/** Reads a small body as UTF-8 text, refusing more than `limit` bytes. */
export function readText(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", (err) => {
      if (!failed) {
        failed = true;
        reject(err);
      }
    });
  });
}

/** Reads and discards a body (so a keep-alive connection stays usable after an early answer). */
export function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded) {
      resolve();
      return;
    }
    req.on("end", () => resolve());
    req.on("error", () => resolve());
    req.on("close", () => resolve());
    req.resume();
  });
}

/** Media type without parameters, lower-cased: "application/json; charset=utf-8" → "application/json". */
export function mediaType(req: IncomingMessage): string {
  const raw = req.headers["content-type"] ?? "";
  return raw.split(";")[0]?.trim().toLowerCase() ?? "";
}

/**
 * Parses an x-www-form-urlencoded body. Repeated parameters make the request invalid
 * (RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once").
 */
export function parseForm(body: string): { params: Map<string, string>; duplicate: string | undefined } {
  const params = new Map<string, string>();
  let duplicate: string | undefined;
  for (const [k, v] of new URLSearchParams(body)) {
    if (params.has(k)) duplicate ??= k;
    params.set(k, v);
  }
  return { params, duplicate };
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const body = reply.body;
  res.writeHead(reply.status, { ...reply.headers, "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      default:
        return "&#39;";
    }
  });
}
