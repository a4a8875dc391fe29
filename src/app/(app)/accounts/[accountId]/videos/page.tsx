import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { getSessionUser } from "@/lib/auth";
import { redirectToSignIn } from "@/lib/auth/sign-in-redirect";
import { getTikTokServices } from "@/lib/services";
import { TikTokCallError } from "@/lib/providers/tiktok/call-errors";
import { callErrorMessage } from "@/lib/providers/tiktok/call-error-messages";
import type { VideoPageView } from "@/lib/providers/tiktok/video-list";
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

  return (
    <section>
      <Link href="/settings/accounts" className="text-sm text-brand-600 hover:underline">
        ← Connected accounts
      </Link>
      <h1 className="mt-2 text-2xl font-semibold">Recent videos · {account.displayName}</h1>
      {/* The ownership check above has answered (404 for another user); TikTok's answer streams in. */}
      <Suspense fallback={<LoadingState label="Loading videos from TikTok…" />}>
        <RecentVideos owned={owned} />
      </Suspense>
    </section>
  );
}

async function RecentVideos({ owned }: { owned: OwnedAccount }) {
  const { videos } = await getTikTokServices();
  let page: VideoPageView | null = null;
  let problem: string | null = null;
  if (!owned.row.scopes.includes("video.list")) {
    problem = "This account didn't grant SocialFlow access to its videos (video.list). Reconnect it and allow “Access your public videos” on TikTok to see them here.";
  } else {
    try {
      page = await videos.page(owned);
    } catch (error) {
      if (!(error instanceof TikTokCallError)) throw error;
      problem = callErrorMessage(error);
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
          <VideoGrid accountId={owned.id} initial={page} />
        </div>
      )}
    </>
  );
}
