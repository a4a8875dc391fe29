import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { getSessionUser } from "@/lib/auth";
import { redirectToSignIn } from "@/lib/auth/sign-in-redirect";
import { getConfig } from "@/lib/config/config";
import { getDb } from "@/lib/db";
import { getAppServices } from "@/lib/services";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { getAccountAnalytics } from "@/lib/analytics/query-service";
import { parseRangeParam } from "@/lib/analytics-view/range";
import { engagementChart, followersChart, viewsChart } from "@/lib/analytics-view/chart-data";
import { notEnoughSnapshotsMessage } from "@/lib/analytics-view/empty-state";
import { formatInterval, formatSnapshotTime } from "@/lib/analytics-view/format";
import { ChartSection } from "@/components/analytics/chart-section";
import { RangePicker } from "@/components/analytics/range-picker";
import { TopVideos } from "@/components/analytics/top-videos";

export const metadata: Metadata = { title: "Analytics" };
export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function AnalyticsPage({ params, searchParams }: { params: Promise<{ accountId: string }>; searchParams: SearchParams }) {
  const { accountId } = await params;
  const user = await getSessionUser(await headers());
  if (!user) redirectToSignIn(await headers());
  const db = await getDb();
  // Another user's account answers exactly like a missing one.
  const owned = await accountsOf(db, user.id).get(accountId);
  if (!owned) notFound();
  const range = parseRangeParam((await searchParams).range);
  const { providers } = await getAppServices();
  const network = providers.get(owned.row.platform).displayName;
  const now = new Date();
  const analytics = await getAccountAnalytics(db, owned, range, now);
  const intervalMs = getConfig().analytics.intervalMs;
  const empty = notEnoughSnapshotsMessage({ every: formatInterval(intervalMs), lastSnapshotAt: analytics.lastSnapshotAt, intervalMs, now });
  const basePath = `/accounts/${owned.id}/analytics`;

  return (
    <section className="min-w-0">
      <Link href="/" className="text-sm text-brand-600 hover:underline">
        ← Dashboard
      </Link>
      <h1 className="mt-2 text-2xl font-semibold break-words">Analytics · {owned.row.displayName}</h1>
      <p className="mt-1 text-sm text-slate-600">
        {network} ·{" "}
        {analytics.lastSnapshotAt ? `last snapshot ${formatSnapshotTime(analytics.lastSnapshotAt)}` : "no snapshot yet"} ·{" "}
        <Link href={`/accounts/${owned.id}/videos`} className="text-brand-600 hover:underline">
          Recent videos
        </Link>
      </p>
      <div className="mt-4 flex flex-wrap items-center gap-3">
        <RangePicker basePath={basePath} current={range} />
        <a
          href={`/api/accounts/${owned.id}/analytics/export?range=${range}`}
          download
          className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50"
        >
          Download CSV ({range} days)
        </a>
      </div>

      <ChartSection
        id="followers"
        title="Followers"
        data={followersChart(analytics.accountPoints)}
        emptyMessage={analytics.accountStatsGranted ? empty : `Follower counts need the "Profile statistics" permission: reconnect ${owned.row.displayName} in Settings → Accounts and allow it on ${network}.`}
      />
      <ChartSection
        id="views"
        title="Views"
        description="Views of the account's recent videos, added up at each snapshot."
        data={viewsChart(analytics.engagementPoints)}
        emptyMessage={empty}
      />
      <ChartSection
        id="engagement"
        title="Engagement"
        description="(likes + comments + shares) ÷ views of the account's recent videos."
        data={engagementChart(analytics.engagementPoints)}
        emptyMessage={empty}
      />
      <TopVideos videos={analytics.topVideos} rangeDays={range} />
    </section>
  );
}
