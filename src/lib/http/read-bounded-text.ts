/** A request or a response: what has a body stream and headers. */
export interface BodyCarrier {
  body: ReadableStream<Uint8Array> | null;
  headers: Headers;
}

export type BoundedText = { ok: true; text: string } | { ok: false; error: "too_large" };

const TOO_LARGE: BoundedText = { ok: false, error: "too_large" };

/**
 * A body as UTF-8 text (as `Body.text()` decodes it), read only up to `maxBytes`: the stream is
 * cancelled as soon as more has arrived, so a client (or a provider) cannot make the server
 * buffer megabytes before a size check. A Content-Length above the limit is refused before
 * reading anything (RFC 9110 §8.6), but a lower or missing one is not trusted: a chunked body has
 * none, and the bytes are counted as they come.
 */
export async function readBoundedText(message: BodyCarrier, maxBytes: number): Promise<BoundedText> {
  const declared = message.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > maxBytes) {
    await message.body?.cancel().catch(() => {});
    return TOO_LARGE;
  }
  if (!message.body) return { ok: true, text: "" };
  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return TOO_LARGE;
    }
    chunks.push(value);
  }
  return { ok: true, text: new TextDecoder().decode(Buffer.concat(chunks)) };
}
