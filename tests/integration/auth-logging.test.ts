/**
 * Better Auth's log lines go through the app's logger: a mistyped password or an unknown email
 * is not an error of the app (no red ERROR on the console, nothing at error level), and the
 * email address typed in never reaches a log line.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_URL, startAppHarness, type AppHarness } from "../helpers/app-harness";
import { captureConsole, captureLogs, type LogCapture } from "../helpers/log-capture";

describe("Better Auth's logs", { timeout: 60_000 }, () => {
  let h: AppHarness;
  let logs: LogCapture;
  let consoleCapture: ReturnType<typeof captureConsole>;

  beforeAll(async () => {
    h = await startAppHarness();
    logs = captureLogs("trace");
    consoleCapture = captureConsole();
  });
  afterAll(async () => {
    consoleCapture.restore();
    logs.restore();
    await h.close();
  });

  it("a wrong password or an unknown email: a debug line through our logger, no ERROR, no email", async () => {
    const user = await h.signUp("mistaken");
    logs.clear();
    consoleCapture.output.length = 0;
    const signIn = (email: string, password: string) =>
      h.auth.api.signInEmail({ body: { email, password }, asResponse: true, headers: new Headers({ origin: APP_URL }) });

    expect((await signIn(user.email, "not-the-password")).status).toBe(401);
    expect((await signIn(`nobody-${user.email}`, "not-the-password")).status).toBe(401);

    expect(consoleCapture.output.join("\n")).not.toMatch(/Better Auth|ERROR/);
    const entries = logs.entries();
    expect(entries.filter((e) => e.event === "auth.user_mistake").map((e) => [e.level, e.message])).toEqual(
      expect.arrayContaining([
        [20, "Invalid password"],
        [20, "User not found"],
      ]),
    );
    expect(entries.filter((e) => Number(e.level) >= 40)).toEqual([]);
    expect(logs.text()).not.toContain(user.email.split("@")[0]);
  });
});
