import { afterEach, describe, expect, it } from "vitest";
import { holdPort, releaseHeldPorts } from "../tests/helpers/held-ports";
import { benchLoad } from "../bench/load-instance";
import { benchUpload } from "../bench/upload-1gb";

afterEach(async () => {
  await releaseHeldPorts();
});

/**
 * The benchmarks that start `next start` on a fixed port refuse to run when something already
 * listens there (they would load whatever answers), before starting anything else: no sandbox,
 * no database, no build needed for this.
 */
describe("benchmark ports", () => {
  it("the load bench refuses a taken BENCH_LOAD_PORT with one line naming it", async () => {
    const taken = await holdPort();
    await expect(benchLoad({ users: 1, concurrency: 1, refreshesPerAccount: 1, port: taken })).rejects.toThrow(
      `BENCH_LOAD_PORT=${taken} is already in use by another program: stop it, or set BENCH_LOAD_PORT to a free port.`,
    );
  });

  it("the upload bench refuses a taken BENCH_UPLOAD_PORT the same way", async () => {
    const taken = await holdPort();
    await expect(benchUpload({ megabytes: 1, rounds: 1, port: taken })).rejects.toThrow(`BENCH_UPLOAD_PORT=${taken} is already in use`);
  });
});
