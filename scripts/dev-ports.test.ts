import { afterEach, describe, expect, it } from "vitest";
import { startTikTokSandbox } from "../sandbox/tiktok/index";
import { holdPort, releaseHeldPorts } from "../tests/helpers/held-ports";
import { portFromEnv, PortInUseError, probePort, requireFreePort, startOnFreePort } from "./dev-ports";

afterEach(async () => {
  await releaseHeldPorts();
});

describe("npm run dev ports", () => {
  it("reads PORT / SANDBOX_PORT: unset means the default and not explicit; junk is one line naming the variable", () => {
    expect(portFromEnv("SANDBOX_PORT", undefined, 4010)).toEqual({ variable: "SANDBOX_PORT", port: 4010, explicit: false });
    expect(portFromEnv("SANDBOX_PORT", "", 4010)).toMatchObject({ port: 4010, explicit: false });
    expect(portFromEnv("PORT", "3100", 3000)).toEqual({ variable: "PORT", port: 3100, explicit: true });
    for (const bad of ["abc", "0", "70000", "3000x", "-1"]) expect(() => portFromEnv("PORT", bad, 3000)).toThrow(/^PORT must be a port number from 1 to 65535/);
  });

  it("a taken default sandbox port moves to a free one instead of failing with EADDRINUSE", async () => {
    const taken = await holdPort();
    const choice = portFromEnv("SANDBOX_PORT", undefined, taken);
    const { value: sandbox, moved } = await startOnFreePort(choice, (port) => startTikTokSandbox({ port }));
    try {
      expect(moved).toBe(true);
      const port = Number(new URL(sandbox.url).port);
      expect(port).not.toBe(taken);
      expect((await fetch(`${sandbox.url}/`)).status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });

  it("a taken explicit SANDBOX_PORT fails with one line that names the variable, and starts nothing", async () => {
    const taken = await holdPort();
    let calls = 0;
    const attempt = startOnFreePort(portFromEnv("SANDBOX_PORT", String(taken), 4010), (port) => {
      calls++;
      return startTikTokSandbox({ port });
    });
    await expect(attempt).rejects.toThrow(`SANDBOX_PORT=${taken} is already in use by another program: stop it, or set SANDBOX_PORT to a free port`);
    const message = await attempt.catch((e: Error) => e.message);
    expect(message).not.toContain("\n");
    expect(message).not.toContain("EADDRINUSE");
    expect(calls).toBe(1);
  });

  it("the app's port is probed as Next binds it (every interface): a port held on 127.0.0.1 counts as taken", async () => {
    const taken = await holdPort();
    await expect(probePort(taken)).rejects.toMatchObject({ code: "EADDRINUSE" });
    const { value: port, moved } = await startOnFreePort(portFromEnv("PORT", undefined, taken), probePort);
    expect(moved).toBe(true);
    expect(port).not.toBe(taken);
    // The probe let the port go again, so Next can take it.
    await expect(probePort(port)).resolves.toBe(port);
  });

  it("a port fixed by the configured app URL fails instead of moving, and says which setting to change too", async () => {
    const taken = await holdPort();
    const choice = { ...portFromEnv("PORT", undefined, taken), explicit: true, fixedBy: "NEXT_PUBLIC_APP_URL" };
    await expect(startOnFreePort(choice, probePort)).rejects.toThrow(`PORT=${taken} is already in use by another program: stop it, or set PORT to a free port and NEXT_PUBLIC_APP_URL to match.`);
  });

  it("other listen errors are not mistaken for a taken port", async () => {
    const denied = Object.assign(new Error("listen EACCES"), { code: "EACCES" });
    await expect(startOnFreePort(portFromEnv("PORT", undefined, 80), () => Promise.reject(denied))).rejects.toBe(denied);
  });

  it("requireFreePort: a taken fixed port is one line naming the port and the variable; a free one passes", async () => {
    const taken = await holdPort();
    const attempt = requireFreePort("BENCH_LOAD_PORT", taken);
    await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
    await expect(attempt).rejects.toThrow(`BENCH_LOAD_PORT=${taken} is already in use by another program: stop it, or set BENCH_LOAD_PORT to a free port.`);
    await releaseHeldPorts();
    await expect(requireFreePort("BENCH_LOAD_PORT", taken)).resolves.toBeUndefined();
  });
});
