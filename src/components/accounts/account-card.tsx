import Link from "next/link";
import type { AccountView } from "@/lib/connections/view-model";
import { ACCOUNT_UNAVAILABLE_MESSAGE } from "@/lib/connections/unavailable-message";
import { relativeTime } from "@/lib/connections/relative-time";
import { AccountActions } from "./account-actions";
import { ConnectButton } from "./connect-button";
import { ownValue } from "@/lib/own-key";

const HEALTH_STYLES: Record<AccountView["health"], string> = {
  active: "bg-emerald-100 text-emerald-800",
  retrying: "bg-amber-100 text-amber-800",
  reconnect: "bg-red-100 text-red-800",
  unavailable: "bg-slate-200 text-slate-800",
  error: "bg-red-100 text-red-800",
};

/** Amber like "retrying": the account works, with less than SocialFlow asked for. */
const MISSING_PERMISSION_STYLE = "bg-amber-100 text-amber-800";

export interface AccountEventView {
  kind: string;
  at: string;
}

const EVENT_LABELS: Record<string, string> = {
  connected: "Connected",
  reconnected: "Reconnected",
  refreshed: "Access renewed",
  refresh_failed: "Refresh failed, will retry",
  reconnect_requested: "Connection ends soon: reconnect asked",
  expired: "Access ended at the network",
  revoke_failed: "Revoke at the network failed",
  unreadable: "Temporarily unavailable (SocialFlow's side)",
  readable_again: "Available again",
  disconnected: "Disconnected",
};

export function AccountCard({ account, events, now }: { account: AccountView; events: AccountEventView[]; now: Date }) {
  const network = account.provider.displayName;
  return (
    <article aria-label={`${network} account ${account.displayName}`} className="rounded-2xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
      <div className="flex flex-wrap items-start gap-4">
        <Avatar account={account} />
        <div className="min-w-0 flex-1 basis-52" data-testid="account-details">
          <div className="flex flex-wrap items-center gap-2">
            <h2 className="min-w-0 text-lg font-semibold [overflow-wrap:anywhere]" data-testid="account-name">
              {account.displayName}
            </h2>
            <span className="rounded-full bg-slate-900 px-2 py-0.5 text-xs font-medium text-white">{network}</span>
            <span
              data-testid="account-status"
              className={`rounded-full px-2 py-0.5 text-xs font-semibold ${account.permissionMissing ? MISSING_PERMISSION_STYLE : HEALTH_STYLES[account.health]}`}
            >
              {account.statusLabel}
            </span>
          </div>
          <IdentityLine account={account} />
          <dl className="mt-3 grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
            <div>
              <dt className="inline text-slate-500">Access </dt>
              {/* SocialFlow renews the short-lived access token itself: its expiry is no news to a person (title only). */}
              <dd className="inline" data-testid="token-expiry" title={account.tokenExpiry}>
                renewed automatically by SocialFlow
              </dd>
            </div>
            <div>
              <dt className="inline text-slate-500">Last renewed </dt>
              <dd className="inline" data-testid="last-refresh" title={account.lastRefreshedAt ?? undefined}>
                {account.lastRefreshedAt ? relativeTime(new Date(account.lastRefreshedAt), now) : "never"}
              </dd>
            </div>
          </dl>
          <nav aria-label={`${account.displayName} pages`} className="mt-3 flex flex-wrap gap-4 text-sm">
            <Link href={`/accounts/${account.id}/videos`} className="font-medium text-brand-600 hover:underline">
              Recent videos
            </Link>
            {account.offersUpload && account.canPost && (
              <Link href={`/accounts/${account.id}/upload`} className="font-medium text-brand-600 hover:underline">
                Upload a video
              </Link>
            )}
          </nav>
          <div className="mt-3">
            <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Granted permissions</h3>
            <ul aria-label="Granted permissions" className="mt-1 flex flex-wrap gap-1.5">
              {account.scopes.map((scope) => (
                <li key={scope.id} title={scope.id} className="rounded-md bg-slate-100 px-2 py-0.5 text-xs text-slate-700">
                  {scope.label}
                </li>
              ))}
            </ul>
          </div>
        </div>
        {account.health !== "reconnect" && (
          <AccountActions
            accountId={account.id}
            displayName={account.displayName}
            canRefresh={account.health !== "error" && account.health !== "unavailable"}
            providerSlug={account.provider.slug}
          />
        )}
      </div>

      {account.health === "reconnect" && (
        <div role="status" className="mt-4 flex flex-wrap items-center justify-between gap-3 rounded-xl bg-red-50 p-4 text-sm text-red-800">
          <p>
            {network} no longer accepts SocialFlow’s access to this account. Reconnect it to keep using it.
            {account.reconnectHelp && <span data-testid="reconnect-help"> {account.reconnectHelp}</span>}
          </p>
          <div className="flex flex-wrap gap-2">
            <ConnectButton provider={account.provider} label="Reconnect" variant="secondary" />
            <AccountActions accountId={account.id} displayName={account.displayName} canRefresh={false} providerSlug={account.provider.slug} />
          </div>
        </div>
      )}
      {account.health === "unavailable" && (
        <p role="status" data-testid="account-unavailable" className="mt-4 rounded-xl bg-slate-100 p-4 text-sm text-slate-800">
          {ACCOUNT_UNAVAILABLE_MESSAGE}
        </p>
      )}
      {account.health !== "reconnect" && account.health !== "unavailable" && account.refreshTokenEndsSoon && (
        <div role="status" data-testid="connection-ends" className="mt-4 flex flex-wrap items-center justify-between gap-3 rounded-xl bg-amber-50 p-4 text-sm text-amber-900">
          <p>
            {account.connectionEndsAt && new Date(account.connectionEndsAt).getTime() > now.getTime()
              ? `This connection to ${network} ends ${relativeTime(new Date(account.connectionEndsAt), now)}: SocialFlow cannot renew it past that.`
              : `This connection to ${network} reaches its end soon.`}{" "}
            Reconnect now to keep it working without a gap.
          </p>
          <ConnectButton provider={account.provider} label="Reconnect" variant="secondary" />
        </div>
      )}
      {account.permissionMissing && (
        <div role="status" data-testid="missing-permission" className="mt-4 flex flex-wrap items-center justify-between gap-3 rounded-xl bg-amber-50 p-4 text-sm text-amber-900">
          <div className="min-w-0 flex-1 basis-52">
            <p className="font-semibold">Missing permission</p>
            {account.missingPermissionNotes.length > 0 ? (
              account.missingPermissionNotes.map((note) => <p key={note}>{note}</p>)
            ) : (
              <p>Not allowed on {network}: {account.missingScopes.map((scope) => scope.label).join(", ")}.</p>
            )}
            <p className="mt-1">
              Grant permission on {network}&apos;s consent screen to turn {account.missingScopes.length > 1 ? "these" : "it"} on (leave the other boxes ticked).
            </p>
          </div>
          <ConnectButton provider={account.provider} label="Grant permission" variant="secondary" scopes={account.missingScopes.map((scope) => scope.id)} />
        </div>
      )}
      {account.postingAwaitsApproval && (
        <p role="note" data-testid="posting-approval-notice" className="mt-4 rounded-xl bg-sky-50 p-4 text-sm text-sky-900">
          Posting videos waits for TikTok’s approval of SocialFlow’s Content Posting API access, so SocialFlow doesn&apos;t ask for the
          &quot;Upload videos&quot; permission yet. This account still works for its profile{account.canListVideos ? " and videos" : ""}.
        </p>
      )}
      {events.length > 0 && (
        <details className="mt-4 text-sm">
          <summary className="cursor-pointer text-slate-600">Recent activity</summary>
          <ul className="mt-2 space-y-1 text-slate-600">
            {events.map((event, i) => (
              <li key={i}>
                {ownValue(EVENT_LABELS, event.kind) ?? event.kind} · {relativeTime(new Date(event.at), now)}
              </li>
            ))}
          </ul>
        </details>
      )}
    </article>
  );
}

/** "@handle · 1.2K followers · Private account": what the network told about the account, nothing guessed. */
function IdentityLine({ account }: { account: AccountView }) {
  const parts = [
    account.handle && <span data-testid="account-handle">{account.handle}</span>,
    account.followers && <span data-testid="account-followers">{account.followers} followers</span>,
    account.subscribers && (
      <span data-testid="account-subscribers">{account.subscribers === "hidden" ? "subscribers hidden" : `${account.subscribers} subscribers`}</span>
    ),
    account.privateAccount === true && <span data-testid="account-private">Private account</span>,
  ].filter(Boolean);
  if (parts.length === 0) return null;
  return (
    <p className="mt-1 text-sm text-slate-600 [overflow-wrap:anywhere]">
      {parts.map((part, i) => (
        <span key={i}>
          {i > 0 && " · "}
          {part}
        </span>
      ))}
    </p>
  );
}

function Avatar({ account }: { account: AccountView }) {
  return (
    <div className="relative h-14 w-14 shrink-0 overflow-hidden rounded-full bg-brand-50 text-xl font-semibold text-brand-700">
      <span aria-hidden="true" className="absolute inset-0 flex items-center justify-center">
        {account.initials}
      </span>
      {account.avatarUrl && (
        // eslint-disable-next-line @next/next/no-img-element -- provider CDN URLs (TikTok's are signed and short-lived); no optimiser proxy
        <img
          src={account.avatarUrl}
          alt={`${account.displayName}'s avatar`}
          width={56}
          height={56}
          referrerPolicy="no-referrer"
          className="relative h-14 w-14 object-cover"
        />
      )}
    </div>
  );
}
