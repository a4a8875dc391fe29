import { describe, expect, it } from "vitest";
import { readBoundedText } from "./read-bounded-text";
import { readAccountIdBody } from "./account-id-body";
import { readAuthorizeBody } from "./authorize-body";

const MB = 1024 * 1024;
const CHUNK = 64 * 1024;

/**
 * A body that would produce `total` bytes in 64 KiB chunks, counting the chunks pulled and
 * whether it was cancelled. highWaterMark 0: nothing is pulled until someone reads.
 */
function countingStream(total: number) {
  const seen = { pulls: 0, cancelled: false };
  let sent = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        seen.pulls++;
        if (sent >= total) return controller.close();
        const size = Math.min(CHUNK, total - sent);
        sent += size;
        controller.enqueue(new Uint8Array(size).fill(0x20));
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { body, seen };
}

const streamed = (body: ReadableStream<Uint8Array>, contentType = "application/json") =>
  new Request("http://localhost/api/oauth/tiktok/refresh", { method: "POST", body, headers: { "content-type": contentType }, duplex: "half" } as RequestInit);

const bytes = (text: string) => new TextEncoder().encode(text);
const carrier = (text: string, headers: Record<string, string> = {}) => ({ body: new Response(text).body, headers: new Headers(headers) });

describe("readBoundedText", () => {
  it("refuses a 10 MB streamed body without Content-Length after the first chunk over the limit, and cancels it", async () => {
    const { body, seen } = countingStream(10 * MB);
    expect(await readBoundedText({ body, headers: new Headers() }, 2048)).toEqual({ ok: false, error: "too_large" });
    expect(seen.pulls).toBe(1);
    expect(seen.cancelled).toBe(true);
  });

  it("refuses a declared Content-Length over the limit before reading a byte", async () => {
    const { body, seen } = countingStream(10 * MB);
    expect(await readBoundedText({ body, headers: new Headers({ "content-length": String(10 * MB) }) }, 2048)).toEqual({ ok: false, error: "too_large" });
    expect(seen.pulls).toBe(0);
    expect(seen.cancelled).toBe(true);
  });

  it("does not trust a Content-Length under the limit: the bytes are counted", async () => {
    const { body, seen } = countingStream(10 * MB);
    expect(await readBoundedText({ body, headers: new Headers({ "content-length": "10" }) }, 2048)).toEqual({ ok: false, error: "too_large" });
    expect(seen.pulls).toBe(1);
  });

  it("accepts a body of exactly the limit (in bytes, not characters) and refuses one byte more", async () => {
    const exact = "é".repeat(1024); // 2 bytes each: 2048 bytes
    expect(bytes(exact).byteLength).toBe(2048);
    expect(await readBoundedText(carrier(exact), 2048)).toEqual({ ok: true, text: exact });
    expect(await readBoundedText(carrier(`${exact}x`), 2048)).toEqual({ ok: false, error: "too_large" });
    expect(await readBoundedText(carrier("é".repeat(1025)), 2049)).toEqual({ ok: false, error: "too_large" });
  });

  it("no body is empty text; a multi-byte character split across chunks decodes whole", async () => {
    expect(await readBoundedText({ body: null, headers: new Headers() }, 10)).toEqual({ ok: true, text: "" });
    const [a, b] = [bytes("é").subarray(0, 1), bytes("é").subarray(1)];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(a);
        controller.enqueue(b);
        controller.close();
      },
    });
    expect(await readBoundedText({ body, headers: new Headers() }, 10)).toEqual({ ok: true, text: "é" });
  });
});

describe("the body readers use it", () => {
  const ASKED = ["video.upload"];

  it("authorize: a 10 MB streamed body is refused (null) after one chunk", async () => {
    const { body, seen } = countingStream(10 * MB);
    expect(await readAuthorizeBody(streamed(body), ASKED)).toBeNull();
    expect(seen.pulls).toBe(1);
    expect(seen.cancelled).toBe(true);
  });

  it("authorize: a body of exactly 2048 bytes is read; 2049 is refused", async () => {
    const json = '{"scopes":["video.upload"]}';
    const exact = json + " ".repeat(2048 - json.length);
    const post = (text: string) => new Request("http://localhost/api/oauth/tiktok/authorize", { method: "POST", body: text, headers: { "content-type": "application/json" } });
    expect(await readAuthorizeBody(post(exact), ASKED)).toEqual({ scopes: ["video.upload"] });
    expect(await readAuthorizeBody(post(`${exact} `), ASKED)).toBeNull();
  });

  it("authorize: the content type rules are unchanged (an empty body is a plain connect whatever its type; a non-JSON body is refused)", async () => {
    const post = (text: string, contentType: string) => new Request("http://localhost/api/oauth/tiktok/authorize", { method: "POST", body: text, headers: { "content-type": contentType } });
    expect(await readAuthorizeBody(post("", "text/plain"), ASKED)).toEqual({ scopes: undefined });
    expect(await readAuthorizeBody(post('{"scopes":["video.upload"]}', "text/plain"), ASKED)).toBeNull();
  });

  it("{ accountId }: a 10 MB streamed body is refused (null) after one chunk", async () => {
    const { body, seen } = countingStream(10 * MB);
    expect(await readAccountIdBody(streamed(body))).toBeNull();
    expect(seen.pulls).toBe(1);
    expect(seen.cancelled).toBe(true);
  });

  it("{ accountId }: a body of exactly 1024 bytes is read; 1025 is refused", async () => {
    const json = JSON.stringify({ accountId: "acc_123" });
    const exact = json + " ".repeat(1024 - json.length);
    const post = (text: string) => new Request("http://localhost/api/oauth/tiktok/refresh", { method: "POST", body: text, headers: { "content-type": "application/json" } });
    expect(await readAccountIdBody(post(exact))).toBe("acc_123");
    expect(await readAccountIdBody(post(`${exact} `))).toBeNull();
  });

  it("{ accountId }: a wrong content type is refused without reading the body, as before", async () => {
    const { body, seen } = countingStream(10 * MB);
    expect(await readAccountIdBody(streamed(body, "text/plain"))).toBeNull();
    expect(seen.pulls).toBe(0);
  });
});
