/**
 * The per-project daily quota (reset at midnight America/Los_Angeles on the sandbox clock) and
 * the optional per-minute limit.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { nextPacificMidnight, pacificDay } from "../quota";
import { ADA, BEN, READONLY, UPLOAD, googleError, reason, start, yt, type Sandbox } from "./helpers";

/** 2026-07-15 23:59:00 in Los Angeles (PDT, UTC-7). */
const SUMMER_2359_PACIFIC = Date.UTC(2026, 6, 16, 6, 59, 0);
/** 2026-12-01 23:59:00 in Los Angeles (PST, UTC-8). */
const WINTER_2359_PACIFIC = Date.UTC(2026, 11, 2, 7, 59, 0);

let base = SUMMER_2359_PACIFIC;
let sb: Sandbox;
beforeAll(async () => {
  sb = await start({ now: () => base });
});
afterAll(() => sb.close());
beforeEach(() => {
  base = SUMMER_2359_PACIFIC;
  sb.control.reset();
});

const mine = "channels?part=id&mine=true";

describe("Pacific-time day", () => {
  it("midnight America/Los_Angeles is 07:00 UTC in summer and 08:00 UTC in winter", () => {
    expect(pacificDay(SUMMER_2359_PACIFIC)).toBe("2026-07-15");
    expect(nextPacificMidnight(SUMMER_2359_PACIFIC)).toBe(Date.UTC(2026, 6, 16, 7));
    expect(pacificDay(WINTER_2359_PACIFIC)).toBe("2026-12-01");
    expect(nextPacificMidnight(WINTER_2359_PACIFIC)).toBe(Date.UTC(2026, 11, 2, 8));
    // The day DST ends (2026-11-01) has 25 hours.
    expect(nextPacificMidnight(Date.UTC(2026, 10, 1, 7, 30))).toBe(Date.UTC(2026, 10, 2, 8));
  });
});

describe("daily quota ledger", () => {
  it("every call with a valid token costs 1 unit, failed ones included (scope, parameters); 401s cost nothing", async () => {
    const t = sb.control.issueTokensDirectly({ accountId: ADA, scopes: READONLY }).access_token;
    const uploadOnly = sb.control.issueTokensDirectly({ accountId: ADA, scopes: UPLOAD }).access_token;
    await yt(sb.url, mine, t);
    await yt(sb.url, "videos?part=id&id=x", t);
    await yt(sb.url, "playlistItems?part=id&playlistId=UUnope", t);
    await yt(sb.url, "channels?mine=true", t);
    await yt(sb.url, mine, uploadOnly);
    await yt(sb.url, mine);
    await yt(sb.url, mine, "ya29.unknown");
    expect(sb.control.quota()).toMatchObject({ projectId: "socialflow-sandbox", day: "2026-07-15", used: 5, limit: 10_000, resetsAt: Date.UTC(2026, 6, 16, 7) });
  });

  it("spent quota → 403 quotaExceeded (domain youtube.quota, no status), its <a> escaped as \\u003c in the JSON; nothing charged", async () => {
    const t = sb.control.issueTokensDirectly({ accountId: ADA, scopes: READONLY }).access_token;
    sb.control.setQuotaUsed(10_000);
    const r = await yt(sb.url, mine, t);
    expect(r.status).toBe(403);
    expect(googleError(r)).toEqual({
      code: 403,
      message: 'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
      errors: [{ message: 'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.', domain: "youtube.quota", reason: "quotaExceeded" }],
    });
    expect(r.text).toContain("\\u003ca href\\u003d\\\"/youtube/v3/getting-started#quota\\\"\\u003equota\\u003c/a\\u003e");
    expect(sb.control.quota().used).toBe(10_000);
  });

  it("the last unit is usable; the one after is not", async () => {
    sb.control.setOptions({ dailyQuota: 3 });
    const t = sb.control.issueTokensDirectly({ accountId: ADA, scopes: READONLY }).access_token;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await yt(sb.url, mine, t)).status);
    expect(statuses).toEqual([200, 200, 200, 403]);
  });

  it("resets at midnight Pacific (not UTC midnight) on the sandbox clock", async () => {
    sb.control.setOptions({ dailyQuota: 1 });
    const t = sb.control.issueTokensDirectly({ accountId: ADA, scopes: READONLY }).access_token;
    expect((await yt(sb.url, mine, t)).status).toBe(200);
    expect(reason(await yt(sb.url, mine, t))).toBe("quotaExceeded");
    sb.control.advanceTime(59_000);
    expect(reason(await yt(sb.url, mine, t))).toBe("quotaExceeded");
    sb.control.advanceTime(1_000);
    expect((await yt(sb.url, mine, t)).status).toBe(200);
    expect(sb.control.quota()).toMatchObject({ day: "2026-07-16", used: 1 });
  });

  it("UTC midnight is not a reset (winter: the Pacific day still runs until 08:00 UTC)", async () => {
    base = Date.UTC(2026, 11, 1, 23, 59, 0);
    sb.control.reset();
    sb.control.setOptions({ dailyQuota: 1 });
    const t = sb.control.issueTokensDirectly({ accountId: ADA, scopes: READONLY }).access_token;
    await yt(sb.url, mine, t);
    sb.control.advanceTime(2 * 60_000);
    expect(reason(await yt(sb.url, mine, t))).toBe("quotaExceeded");
    sb.control.advanceTime(8 * 3_600_000);
    const fresh = sb.control.issueTokensDirectly({ accountId: ADA, scopes: READONLY }).access_token;
    expect((await yt(sb.url, mine, fresh)).status).toBe(200);
  });

  it("quota is per Cloud project: two clients of one project share it, another project has its own", async () => {
    const client = sb.control.options().clients[0];
    if (!client) throw new Error("no client");
    sb.control.setOptions({
      dailyQuota: 2,
      clients: [client, { ...client, clientId: "same-project.apps.googleusercontent.com" }, { ...client, clientId: "other.apps.googleusercontent.com", projectId: "other-project" }],
    });
    const a = sb.control.issueTokensDirectly({ accountId: ADA, scopes: READONLY }).access_token;
    const b = sb.control.issueTokensDirectly({ accountId: BEN, scopes: READONLY, clientId: "same-project.apps.googleusercontent.com" }).access_token;
    const c = sb.control.issueTokensDirectly({ accountId: BEN, scopes: READONLY, clientId: "other.apps.googleusercontent.com" }).access_token;
    await yt(sb.url, mine, a);
    await yt(sb.url, mine, b);
    expect(reason(await yt(sb.url, mine, a))).toBe("quotaExceeded");
    expect((await yt(sb.url, mine, c)).status).toBe(200);
    expect(sb.control.quota("other-project").used).toBe(1);
  });
});

describe("per-minute limit", () => {
  it("perMinuteLimit: 403 rateLimitExceeded (usageLimits) within the minute, fine the next minute", async () => {
    sb.control.setOptions({ perMinuteLimit: 2 });
    const t = sb.control.issueTokensDirectly({ accountId: ADA, scopes: READONLY }).access_token;
    await yt(sb.url, mine, t);
    await yt(sb.url, mine, t);
    const r = await yt(sb.url, mine, t);
    expect(r.status).toBe(403);
    expect(googleError(r)).toMatchObject({ code: 403, errors: [{ reason: "rateLimitExceeded", domain: "usageLimits" }] });
    sb.control.advanceTime(60_000);
    expect((await yt(sb.url, mine, t)).status).toBe(200);
  });

  it("rateLimitStatus 429: RESOURCE_EXHAUSTED", async () => {
    sb.control.setOptions({ perMinuteLimit: 1, rateLimitStatus: 429 });
    const t = sb.control.issueTokensDirectly({ accountId: ADA, scopes: READONLY }).access_token;
    await yt(sb.url, mine, t);
    const r = await yt(sb.url, mine, t);
    expect(googleError(r)).toMatchObject({ code: 429, status: "RESOURCE_EXHAUSTED", errors: [{ reason: "rateLimitExceeded" }] });
  });
});
