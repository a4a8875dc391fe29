import { describe, expect, it } from "vitest";
import { isoDurationSeconds } from "./iso-duration";

describe("ISO-8601 durations from videos.list", () => {
  it.each([
    ["PT4M13S", 253],
    ["PT1H2M", 3720],
    ["P1DT2H3M", 93_780],
    ["PT0S", 0],
    ["PT59.9S", 59],
    ["P1W", 604_800],
  ])("%s is %i s", (value, seconds) => expect(isoDurationSeconds(value)).toBe(seconds));

  it.each(["", "P", "PT", "4M13S", "PT4M13", "PT-1S", "P1Y", "constructor", "PT1H".repeat(20)])("%j is not a duration", (value) =>
    expect(isoDurationSeconds(value)).toBeUndefined(),
  );
});
