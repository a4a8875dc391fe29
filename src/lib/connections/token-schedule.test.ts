import { describe, expect, it } from "vitest";
import { ProviderRequestError } from "./errors";
import { MAX_TOKEN_LIFETIME_S, MIN_REFRESH_SPACING_MS, REFRESH_AT_LIFE_FRACTION, tokenSchedule } from "./token-schedule";

const now = new Date("2026-03-01T12:00:00.000Z");

describe("tokenSchedule", () => {
  it("dates come from the provider's lifetimes: expiry, refresh token expiry, and the proactive refresh at 80 %", () => {
    expect(tokenSchedule({ expiresIn: 86_400, refreshExpiresIn: 31_536_000 }, now)).toEqual({
      tokenExpiry: new Date("2026-03-02T12:00:00.000Z"),
      refreshTokenExpiry: new Date("2027-03-01T12:00:00.000Z"),
      nextRefreshAt: new Date(now.getTime() + 86_400_000 * REFRESH_AT_LIFE_FRACTION),
    });
    expect(tokenSchedule({ expiresIn: 3599, refreshExpiresIn: undefined }, now).refreshTokenExpiry).toBeNull();
  });

  it("takes lifetimes up to MAX_TOKEN_LIFETIME_S, each a real date", () => {
    const schedule = tokenSchedule({ expiresIn: MAX_TOKEN_LIFETIME_S, refreshExpiresIn: MAX_TOKEN_LIFETIME_S }, now);
    for (const date of [schedule.tokenExpiry, schedule.refreshTokenExpiry!, schedule.nextRefreshAt]) expect(Number.isFinite(date.getTime())).toBe(true);
    expect(tokenSchedule({ expiresIn: 3599, refreshExpiresIn: 0 }, now).refreshTokenExpiry).toEqual(now);
  });

  it.each([0, 1, 2, 74])("S75: a lifetime of %i s expires when it says, but the next proactive refresh is still a minute away", (expiresIn) => {
    const schedule = tokenSchedule({ expiresIn, refreshExpiresIn: undefined }, now);
    expect(schedule.tokenExpiry).toEqual(new Date(now.getTime() + expiresIn * 1000));
    expect(schedule.nextRefreshAt).toEqual(new Date(now.getTime() + MIN_REFRESH_SPACING_MS));
  });

  it.each([
    ["an absurd refresh lifetime, an Invalid Date", { expiresIn: 3599, refreshExpiresIn: 9e12 }],
    ["a refresh lifetime past the cap", { expiresIn: 3599, refreshExpiresIn: MAX_TOKEN_LIFETIME_S + 1 }],
    ["an access lifetime past the cap", { expiresIn: MAX_TOKEN_LIFETIME_S + 1, refreshExpiresIn: undefined }],
    ["an infinite lifetime", { expiresIn: Infinity, refreshExpiresIn: undefined }],
    ["NaN", { expiresIn: 3599, refreshExpiresIn: NaN }],
    ["a negative lifetime", { expiresIn: -1, refreshExpiresIn: undefined }],
  ])("S66: never makes a date out of %s: a malformed provider answer, not an Invalid Date", (_label, tokens) => {
    let thrown: unknown;
    try {
      tokenSchedule(tokens, now);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProviderRequestError);
    expect(thrown).toMatchObject({ kind: "malformed_response", transient: false });
  });
});
