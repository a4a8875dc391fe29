import type { Metadata } from "next";
import { headers } from "next/headers";
import { getSessionUser } from "@/lib/auth";
import { redirectToSignIn } from "@/lib/auth/sign-in-redirect";
import { getConfig } from "@/lib/config/config";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { toAccountView } from "@/lib/connections/view-model";
import { bannerFor } from "@/lib/connections/banner-messages";
import { listRecentAccountEvents } from "@/lib/connections/events";
import { getDb } from "@/lib/db";
import { getAppServices } from "@/lib/services";
import { AccountCard } from "@/components/accounts/account-card";
import { ConnectButton } from "@/components/accounts/connect-button";
import { PageBanner } from "@/components/accounts/page-banner";

export const metadata: Metadata = { title: "Connected accounts" };
export const dynamic = "force-dynamic";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function AccountsPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await getSessionUser(await headers());
  if (!user) redirectToSignIn(await headers());
  const params = await searchParams;
  const single = (v: string | string[] | undefined) => (typeof v === "string" ? v : undefined);
  const { providers } = await getAppServices();
  const db = await getDb();
  const owned = await accountsOf(db, user.id).list();
  const now = new Date();
  // The callback names the account it stored; only the user's own rows can answer (else no banner).
  const accountParam = single(params.account);
  const named = accountParam === undefined ? undefined : owned.find((account) => account.id === accountParam)?.row;
  const banner = bannerFor(
    {
      success: single(params.success),
      again: single(params.again),
      disconnected: single(params.disconnected),
      error: single(params.error),
      // A link without `provider` (an older redirect) speaks of the one provider, when there is one.
      provider: single(params.provider) ?? onlyProvider(providers.all()),
    },
    (slug) => providers.bySlug(slug),
    accountParam === undefined ? undefined : named ? { displayName: named.displayName, handle: handleOf(named.providerData) } : null,
  );

  const trails = await listRecentAccountEvents(db, owned, 5);
  const cards = owned.map((account) => ({
    view: toAccountView(account.row, now, providers.get(account.row.platform)),
    events: (trails.get(account.id) ?? []).map((e) => ({ kind: e.kind, at: e.createdAt.toISOString() })),
  }));
  const config = getConfig();
  // One "Connect …" per configured provider (YouTube only with GOOGLE_CLIENT_ID; in dev, the sandbox's).
  const networks = providers.all().map((p) => ({ slug: p.slug, displayName: p.displayName }));
  const connectButtons = (
    <div className="flex flex-wrap gap-2">
      {networks.map((network) => (
        <ConnectButton key={network.slug} provider={network} />
      ))}
    </div>
  );

  return (
    <section>
      <div className="flex flex-wrap items-center justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Connected accounts</h1>
          <p className="mt-1 text-slate-600">
            SocialFlow keeps these connected for you and refreshes access before it runs out.
            {config.tiktok.sandbox && " TikTok here is the local sandbox: no real account is touched."}
            {config.youtube?.sandbox && " YouTube here is the local Google sandbox: no real channel is touched."}
          </p>
        </div>
        {cards.length > 0 && connectButtons}
      </div>

      {banner && <PageBanner key={banner.message} banner={banner} />}

      {cards.length === 0 ? (
        <div className="mt-6 rounded-2xl border border-dashed border-slate-300 bg-white p-8 text-center">
          <p className="font-medium">No accounts connected yet</p>
          <p className="mt-1 text-sm text-slate-600">
            Connect {networks.map((n) => n.displayName).join(" or ")} to see your profile and videos{providers.all().some((p) => p.capabilityScopes.upload) ? " and to post from SocialFlow" : ""}.
          </p>
          <div className="mt-4 flex justify-center">{connectButtons}</div>
        </div>
      ) : (
        <div className="mt-6 space-y-4">
          {cards.map(({ view, events }) => (
            <AccountCard key={view.id} account={view} events={events} now={now} />
          ))}
        </div>
      )}
    </section>
  );
}

function handleOf(data: { handle?: unknown } | null): string | null {
  return typeof data?.handle === "string" ? data.handle : null;
}

function onlyProvider(all: { slug: string }[]): string | undefined {
  return all.length === 1 ? all[0]!.slug : undefined;
}
