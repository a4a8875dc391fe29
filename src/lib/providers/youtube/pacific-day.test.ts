import { describe, expect, it } from "vitest";
import { nextPacificMidnight, pacificDay } from "./pacific-day";

describe("YouTube's quota day (midnight Pacific Time)", () => {
  it("winter (PST, UTC−8): the day ends at 08:00 UTC", () => {
    const at = new Date("2026-12-02T07:59:59Z");
    expect(pacificDay(at)).toBe("2026-12-01");
    expect(nextPacificMidnight(at).toISOString()).toBe("2026-12-02T08:00:00.000Z");
    expect(pacificDay(new Date("2026-12-02T08:00:00Z"))).toBe("2026-12-02");
  });

  it("summer (PDT, UTC−7): the day ends at 07:00 UTC", () => {
    expect(nextPacificMidnight(new Date("2026-07-01T20:00:00Z")).toISOString()).toBe("2026-07-02T07:00:00.000Z");
  });

  it("across the daylight-saving changes the next midnight is still 00:00 Pacific", () => {
    // 2026-03-08: clocks go forward in the US; 2026-11-01: back.
    expect(nextPacificMidnight(new Date("2026-03-08T12:00:00Z")).toISOString()).toBe("2026-03-09T07:00:00.000Z");
    expect(nextPacificMidnight(new Date("2026-11-01T12:00:00Z")).toISOString()).toBe("2026-11-02T08:00:00.000Z");
  });
});
