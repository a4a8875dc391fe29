import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger";

function capture() {
  let out = "";
  const destination = new Writable({
    write(chunk, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  return { logger: createLogger({ level: "info", destination: destination as never }), text: () => out };
}

describe("logger", () => {
  it("S29: an error's message never reaches a log line, whether logged under err or on its own", async () => {
    const { logger, text } = capture();
    logger.error({ event: "x", err: new Error("insert … params act.SECRET1") });
    logger.error(new Error("rft.SECRET2"));
    await new Promise((r) => setTimeout(r, 20));
    expect(text()).not.toContain("SECRET");
    expect(text()).toContain('"err":{"type":"Error"}');
  });

  it("S29: credential fields are censored wherever they appear", async () => {
    const { logger, text } = capture();
    logger.info({ event: "y", access_token: "act.SECRET3", body: { refresh_token: "rft.SECRET4", code: "SECRET5" } });
    await new Promise((r) => setTimeout(r, 20));
    expect(text()).not.toContain("SECRET");
    expect(text()).toContain("[redacted]");
  });
});
