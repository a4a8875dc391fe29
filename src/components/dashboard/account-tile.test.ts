import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { AccountSummary } from "@/lib/analytics/types";
import type { SocialAccountRow } from "@/lib/db/schema";
import { toAccountView } from "@/lib/connections/view-model";
import { TikTokProvider } from "@/lib/providers/tiktok/oauth-provider";
import { tileHealth } from "@/lib/analytics-view/dashboard";
import { sandboxTikTokConfig } from "../../../tests/helpers/seed-accounts";
import { accountRowAt } from "../../../tests/helpers/account-row";
import { AccountTile } from "./account-tile";

const now = new Date("2026-06-01T12:00:00Z");
const provider = new TikTokProvider(sandboxTikTokConfig("http://127.0.0.1:9"));
const day = 86_400_000;

function render(row: Partial<SocialAccountRow>, summary: AccountSummary | null) {
  const view = toAccountView(accountRowAt(now, { scopes: ["user.info.basic", "user.info.stats", "video.list", "video.upload"], ...row }), now, provider);
  return renderToStaticMarkup(createElement(AccountTile, { view, summary, health: tileHealth(view, summary), snapshotsEvery: "6 hours" }));
}

const summary: AccountSummary = {
  accountId: "a1",
  latest: { at: now, followers: 12_345, following: 1, likes: 800, videos: 21, views: null },
  change7d: { followers: 345, likes: -20, videos: null },
  followersTrend: [0, 1, 2].map((i) => ({ at: new Date(now.getTime() - (2 - i) * day), followers: 12_000 + i * 150 })),
  accountStatsGranted: true,
};

describe("dashboard account tile", () => {
  it("shows health in words, the counts with their 7-day change in words, a trend line and links to the account's pages", () => {
    const html = render({}, summary);
    expect(html).toContain('data-health="connected"');
    expect(html).toContain(">Connected<");
    expect(html).toContain("12.3K");
    expect(html).toContain("up 345 in 7 days");
    expect(html).toContain("down 20 in 7 days");
    expect(html).toContain("no change figure for the last 7 days yet");
    expect(html).toContain('data-testid="sparkline"');
    expect(html).toContain('href="/accounts/a1/analytics"');
    expect(html).toContain('href="/accounts/a1/videos"');
    expect(html).toContain('href="/accounts/a1/upload"');
  });

  it("an account without the stats permission: dashes, one plain reason, 'Missing permission' in words", () => {
    const html = render({ scopes: ["user.info.basic", "video.list", "video.upload"] }, { ...summary, latest: null, followersTrend: [], accountStatsGranted: false });
    expect(html).toContain(">Missing permission<");
    expect(html.match(/>—</g)).toHaveLength(3);
    // Said once, by the health line (not again under the numbers).
    expect(html.match(/Profile statistics/g)).toHaveLength(1);
    expect(html).not.toContain('data-testid="stats-missing"');
    expect(html).not.toContain("in 7 days");
  });

  it("before the first snapshot: dashes and when stats come, said once", () => {
    const html = render({}, { ...summary, latest: null, followersTrend: [] });
    expect(html.match(/>—</g)).toHaveLength(3);
    expect(html).toContain('data-testid="stats-missing"');
    expect(html.match(/No stats recorded yet: SocialFlow records them every 6 hours\./g)).toHaveLength(1);
  });

  it("an expired account says 'Needs reconnect'", () => {
    const html = render({ status: "EXPIRED" }, summary);
    expect(html).toContain('data-health="reconnect"');
    expect(html).toContain(">Needs reconnect<");
  });
});
