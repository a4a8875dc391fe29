import Link from "next/link";
import type { Metadata } from "next";
import { headers } from "next/headers";
import { getSessionUser } from "@/lib/auth";
import { redirectToSignIn } from "@/lib/auth/sign-in-redirect";
import { getConfig } from "@/lib/config/config";
import { getDb } from "@/lib/db";
import { getAppServices } from "@/lib/services";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { toAccountView } from "@/lib/connections/view-model";
import { getDashboardSummaries } from "@/lib/analytics/query-service";
import { attentionItems, tileHealth } from "@/lib/analytics-view/dashboard";
import { formatInterval } from "@/lib/analytics-view/format";
import { getUploadServices } from "@/lib/uploads/runtime";
import { AccountTile } from "@/components/dashboard/account-tile";
import { AttentionList } from "@/components/dashboard/attention-list";
import { RecentUploads, type DashboardUpload } from "@/components/dashboard/recent-uploads";

export const metadata: Metadata = { title: "Dashboard" };
export const dynamic = "force-dynamic";

/** How many of the person's last uploads the dashboard lists. */
const LAST_UPLOADS = 5;
/**
 * Uploads read per account: enough for the last uploads over all accounts and for the failed
 * ones of the past week that ask for attention (the upload page's list holds as many).
 */
const UPLOADS_PER_ACCOUNT = 20;

export default async function DashboardPage() {
  const user = await getSessionUser(await headers());
  if (!user) redirectToSignIn(await headers());
  const db = await getDb();
  const owned = await accountsOf(db, user.id).list();
  const { providers } = await getAppServices();

  if (owned.length === 0) {
    const networks = providers.all().map((p) => p.displayName);
    return (
      <section>
        <h1 className="text-2xl font-semibold">Dashboard</h1>
        <div data-testid="dashboard-empty" className="mt-6 rounded-2xl border border-dashed border-slate-300 bg-white p-8 text-center">
          <p className="font-medium">No accounts connected yet</p>
          <p className="mt-1 text-sm text-slate-600">
            Connect {networks.join(" or ")} to see your followers, likes and views here, how they change over time, and your uploads.
          </p>
          <Link href="/settings/accounts" className="mt-4 inline-block rounded-lg bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700">
            Connect an account
          </Link>
        </div>
      </section>
    );
  }

  const now = new Date();
  const [summaries, uploadLists] = await Promise.all([
    getDashboardSummaries(db, owned, now),
    // One owner-scoped statement for all the person's accounts, however many they connect.
    getUploadServices().then(({ service }) => service.listRecent(owned, UPLOADS_PER_ACCOUNT)),
  ]);
  const tiles = owned.map((account) => {
    const view = toAccountView(account.row, now, providers.get(account.row.platform));
    const summary = summaries.find((s) => s.accountId === account.id) ?? null;
    return { view, summary, health: tileHealth(view, summary), uploads: uploadLists.get(account.id) ?? [] };
  });
  const uploads: DashboardUpload[] = tiles
    .flatMap(({ view, uploads }) => uploads.map((upload) => ({ upload, accountId: view.id, accountName: view.displayName })))
    .sort((a, b) => b.upload.createdAt.localeCompare(a.upload.createdAt));
  const attention = attentionItems(tiles, uploads, now);
  const every = formatInterval(getConfig().analytics.intervalMs);

  return (
    <section>
      <h1 className="text-2xl font-semibold">Dashboard</h1>
      <p className="mt-1 text-slate-600">Your connected accounts at a glance. SocialFlow records their stats every {every}.</p>
      <AttentionList items={attention} />
      <h2 className="mt-8 text-lg font-semibold">Accounts</h2>
      <div className="mt-3 grid gap-4 md:grid-cols-2">
        {tiles.map(({ view, summary, health }) => (
          <AccountTile key={view.id} view={view} summary={summary} health={health} snapshotsEvery={every} />
        ))}
      </div>
      <h2 className="mt-10 text-lg font-semibold">Last uploads</h2>
      <div className="mt-3">
        <RecentUploads uploads={uploads.slice(0, LAST_UPLOADS)} now={now} />
      </div>
    </section>
  );
}
