import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { getSessionUser } from "@/lib/auth";
import { redirectToSignIn } from "@/lib/auth/sign-in-redirect";
import { getAppServices } from "@/lib/services";
import { ProviderCallError, type VideoPageView } from "@/lib/connections/recent-videos";
import { getDb } from "@/lib/db";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { Suspense } from "react";
import type { OwnedAccount } from "@/lib/connections/owned-accounts";
import { VideoGrid } from "@/components/videos/video-grid";
import { LoadingState } from "@/components/loading-state";

export const metadata: Metadata = { title: "Recent videos" };
export const dynamic = "force-dynamic";

export default async function VideosPage({ params }: { params: Promise<{ accountId: string }> }) {
  const { accountId } = await params;
  const user = await getSessionUser(await headers());
  if (!user) redirectToSignIn(await headers());
  const owned = await accountsOf(await getDb(), user.id).get(accountId);
  if (!owned) notFound();
  const account = owned.row;
  const services = await getAppServices();
  const provider = services.providers.get(account.platform);

  return (
    <section>
      <Link href="/settings/accounts" className="text-sm text-brand-600 hover:underline">
        ← Connected accounts
      </Link>
      <h1 className="mt-2 text-2xl font-semibold">Recent videos · {account.displayName}</h1>
      <Link href={`/accounts/${account.id}/analytics`} className="mt-1 inline-block text-sm text-brand-600 hover:underline">
        Analytics: followers, views and engagement over time →
      </Link>
      {/* The ownership check above has answered (404 for another user); the provider's answer streams in. */}
      <Suspense fallback={<LoadingState label={`Loading videos from ${provider.displayName}…`} />}>
        <RecentVideos owned={owned} />
      </Suspense>
    </section>
  );
}

async function RecentVideos({ owned }: { owned: OwnedAccount }) {
  const services = await getAppServices();
  const provider = services.providers.get(owned.row.platform);
  const source = services.recentVideos.get(owned.row.platform);
  const needed = provider.capabilityScopes.recentVideos ?? [];
  let page: VideoPageView | null = null;
  let problem: string | null = null;
  if (!source || needed.length === 0) {
    problem = `SocialFlow doesn't list ${provider.displayName} videos yet.`;
  } else if (!needed.some((scope) => owned.row.scopes.includes(scope))) {
    const words = needed.map((scope) => provider.scopeLabels[scope] ?? scope).join(" or ");
    problem = `This account didn't grant SocialFlow access to its videos (${words}). Reconnect it and allow that permission on ${provider.displayName} to see them here.`;
  } else {
    try {
      page = await source.page(owned);
    } catch (error) {
      if (!(error instanceof ProviderCallError)) throw error;
      problem = error.userMessage;
    }
  }

  return (
    <>
      {problem && (
        <p role="alert" className="mt-6 rounded-xl bg-amber-50 p-4 text-sm text-amber-900">
          {problem}
        </p>
      )}
      {page && page.videos.length === 0 && (
        <p className="mt-6 rounded-2xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">
          No videos on this account yet.
        </p>
      )}
      {page && page.videos.length > 0 && (
        <div className="mt-6">
          <VideoGrid accountId={owned.id} initial={page} networkName={provider.displayName} />
        </div>
      )}
    </>
  );
}
