import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, defaultLogFormat, type LogFormat } from "./logger";
import { prettyLine } from "./pretty";

function capture(format: LogFormat = "json", level = "info") {
  let out = "";
  const destination = new Writable({
    write(chunk, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  return { logger: createLogger({ level, format, destination: destination as never }), text: () => out };
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

describe("log format", () => {
  it("JSON in production (and tests, and scripts); pretty only under next dev", () => {
    expect(defaultLogFormat({ NODE_ENV: "production" })).toBe("json");
    expect(defaultLogFormat({})).toBe("json");
    expect(defaultLogFormat({ NODE_ENV: "test" })).toBe("json");
    expect(defaultLogFormat({ NODE_ENV: "development" })).toBe("pretty");
  });

  it("production lines are one JSON object each", async () => {
    const { logger, text } = capture("json");
    logger.info({ event: "oauth.connected", provider: "tiktok", accountId: "a1" });
    await new Promise((r) => setTimeout(r, 20));
    expect(JSON.parse(text())).toMatchObject({ level: 30, app: "socialflow", event: "oauth.connected", provider: "tiktok", accountId: "a1" });
  });

  it("development: one readable line per entry, no JSON boilerplate", async () => {
    const { logger, text } = capture("pretty");
    logger.info({ event: "oauth.connected", provider: "tiktok", accountId: "a1" });
    logger.warn({ event: "upload.failed", code: "x", counts: { a: 1 } }, "TikTok said no");
    await new Promise((r) => setTimeout(r, 20));
    const lines = text().trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[socialflow\] \d\d:\d\d:\d\d INFO  oauth\.connected provider=tiktok accountId=a1$/);
    expect(lines[1]).toMatch(/ WARN  upload\.failed TikTok said no code=\[redacted\] counts=\{"a":1\}$/);
    expect(text()).not.toMatch(/"pid"|"hostname"|"app"|\{"level"/);
  });

  it("development lines keep the JSON log's redaction and error rule", async () => {
    const { logger, text } = capture("pretty");
    logger.info({ event: "y", access_token: "act.SECRET3", body: { refresh_token: "rft.SECRET4", code: "SECRET5" } });
    logger.error({ event: "x", err: new Error("insert … params act.SECRET1") });
    await new Promise((r) => setTimeout(r, 20));
    expect(text()).not.toContain("SECRET");
    expect(text()).toContain("access_token=[redacted]");
    expect(text()).toContain('err={"type":"Error"}');
  });

  it("development is quiet: the periodic metric line only at debug", async () => {
    const quiet = capture("pretty", "info");
    quiet.logger.info({ event: "metric", counters: { refreshes: 1 } });
    quiet.logger.info({ event: "sweeper.started" });
    const verbose = capture("pretty", "debug");
    verbose.logger.info({ event: "metric", counters: { refreshes: 1 } });
    await new Promise((r) => setTimeout(r, 20));
    expect(quiet.text()).not.toContain("metric");
    expect(quiet.text()).toContain("sweeper.started");
    expect(verbose.text()).toContain('metric counters={"refreshes":1}');
  });

  it("never writes terminal escapes or line breaks from logged values", () => {
    const line = prettyLine(JSON.stringify({ level: 30, time: 0, event: "e\u001b[31m", origin: "x\n\u001b[2Jy\u202e" }), { colours: false, verbose: false });
    expect(line.trimEnd()).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.split("\n")).toHaveLength(2);
    expect(prettyLine("not json", { colours: false, verbose: false })).toBe("not json\n");
  });
});
