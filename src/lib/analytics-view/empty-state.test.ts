import { describe, expect, it } from "vitest";
import { notEnoughSnapshotsMessage } from "./empty-state";

const now = new Date("2026-06-01T12:00:00Z");
const intervalMs = 6 * 3_600_000;

describe("the chart's empty state", () => {
  it("before any snapshot: how often, and that the first comes after connecting", () => {
    const text = notEnoughSnapshotsMessage({ every: "6 hours", intervalMs, lastSnapshotAt: null, now });
    expect(text).toBe("SocialFlow records stats every 6 hours; a chart needs two snapshots. The first is taken shortly after an account is connected.");
  });

  it("after one snapshot: when the next is due", () => {
    const last = new Date(now.getTime() - 2 * 3_600_000);
    expect(notEnoughSnapshotsMessage({ every: "6 hours", intervalMs, lastSnapshotAt: last, now })).toMatch(/The next one is due in 4 hours\.$/);
    const overdue = new Date(now.getTime() - 7 * 3_600_000);
    expect(notEnoughSnapshotsMessage({ every: "6 hours", intervalMs, lastSnapshotAt: overdue, now })).toMatch(/due any moment now\.$/);
  });
});
