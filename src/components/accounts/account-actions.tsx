"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { useAccountAction } from "./use-account-action";

/** "Refresh" and "Disconnect" (with a confirmation step) for one account card. */
export function AccountActions({
  accountId,
  displayName,
  canRefresh,
  providerSlug,
}: {
  accountId: string;
  displayName: string;
  canRefresh: boolean;
  /** The account's network: its routes are `/api/oauth/<slug>/…`. */
  providerSlug: string;
}) {
  const base = `/api/oauth/${encodeURIComponent(providerSlug)}`;
  const { run, pending, error, refreshPage } = useAccountAction();
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  async function refresh() {
    setNotice(null);
    const result = await run(`${base}/refresh`, { accountId });
    if (result) {
      setNotice("Access renewed.");
      refreshPage();
    }
  }

  async function disconnect() {
    const result = await run(`${base}/disconnect`, { accountId });
    setConfirming(false);
    // The page says it was disconnected (a fixed code; the card is gone), replacing any older banner.
    if (result) router.replace(`/settings/accounts?disconnected=${encodeURIComponent(providerSlug)}`);
  }

  return (
    <div className="flex flex-col items-end gap-2">
      {confirming ? (
        <div role="group" aria-label={`Confirm disconnecting ${displayName}`} className="flex flex-wrap items-center justify-end gap-2">
          <span className="text-sm text-slate-700">Disconnect {displayName}? SocialFlow will lose access.</span>
          <button type="button" disabled={pending} onClick={disconnect} className="rounded-lg bg-red-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-60">
            {pending ? "Disconnecting…" : "Yes, disconnect"}
          </button>
          <button type="button" disabled={pending} onClick={() => setConfirming(false)} className="rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100">
            Keep connected
          </button>
        </div>
      ) : (
        <div className="flex gap-2">
          {canRefresh && (
            <button type="button" disabled={pending} onClick={refresh} className="rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 disabled:opacity-60">
              {pending ? "Refreshing…" : "Refresh"}
            </button>
          )}
          <button type="button" disabled={pending} onClick={() => setConfirming(true)} className="rounded-lg border border-red-200 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-60">
            Disconnect
          </button>
        </div>
      )}
      <p aria-live="polite" className="text-sm">
        {error && <span role="alert" className="text-red-700">{error}</span>}
        {!error && notice && <span className="text-emerald-700">{notice}</span>}
      </p>
    </div>
  );
}
