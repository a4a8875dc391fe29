import Link from "next/link";
import type { AccountSummary } from "@/lib/analytics/types";
import type { AccountView } from "@/lib/connections/view-model";
import { missingStatReason, type StatName, type TileHealth } from "@/lib/analytics-view/dashboard";
import { formatChange, formatCount, formatExact } from "@/lib/analytics-view/format";
import { HealthBadge } from "./health-badge";
import { Sparkline } from "./sparkline";

const STATS: { name: StatName; label: string }[] = [
  { name: "followers", label: "Followers" },
  { name: "likes", label: "Total likes" },
  { name: "videos", label: "Videos" },
];

const CHANGE_TONES = { up: "text-emerald-700", down: "text-red-700", flat: "text-slate-600", unknown: "text-slate-500" } as const;

/** One connected account at a glance on the dashboard. */
export function AccountTile({
  view,
  health,
  summary,
  snapshotsEvery,
}: {
  view: AccountView;
  health: TileHealth;
  summary: AccountSummary | null;
  snapshotsEvery: string;
}) {
  const network = view.provider.displayName;
  const trend = summary?.followersTrend.map((p) => p.followers) ?? [];
  const reasons = STATS.map(({ name }) => missingStatReason(summary, name, network, snapshotsEvery));
  // One reason for all three (no stats yet, permission missing) is said once, under the numbers —
  // unless it is the missing permission the health line above already names.
  const shared = reasons.every((r) => r !== null && r === reasons[0]) ? reasons[0] : null;
  const sharedReason = shared && !(summary && !summary.accountStatsGranted && health.kind === "permission") ? shared : null;
  return (
    <article aria-label={`${network} account ${view.displayName}`} data-testid="account-tile" className="min-w-0 rounded-2xl border border-slate-200 bg-white p-4">
      <div className="flex min-w-0 items-start gap-3">
        {view.avatarUrl ? (
          // Avatars come from the network's CDN (or the sandbox); next/image would need every host configured.
          // eslint-disable-next-line @next/next/no-img-element
          <img src={view.avatarUrl} alt="" width={40} height={40} className="h-10 w-10 shrink-0 rounded-full bg-slate-100 object-cover" />
        ) : (
          <span aria-hidden="true" className="flex h-10 w-10 shrink-0 items-center justify-center rounded-full bg-brand-50 font-semibold text-brand-700">
            {view.initials}
          </span>
        )}
        <div className="min-w-0 flex-1">
          <h3 className="break-words font-semibold">{view.displayName}</h3>
          <p className="text-sm text-slate-600">
            {network}
            {view.handle && <span className="break-all"> · {view.handle.startsWith("@") ? view.handle : `@${view.handle}`}</span>}
          </p>
        </div>
        <HealthBadge kind={health.kind} label={health.label} />
      </div>
      {health.detail && <p className="mt-3 text-sm text-slate-700">{health.detail}</p>}

      <dl className="mt-4 grid grid-cols-3 gap-2">
        {STATS.map(({ name, label }, i) => {
          const value = summary?.latest?.[name] ?? null;
          const change = formatChange(summary?.change7d[name] ?? null);
          const reason = shared ? null : reasons[i];
          return (
            <div key={name} className="min-w-0" data-testid={`stat-${name}`}>
              <dt className="text-xs text-slate-600">{label}</dt>
              <dd className="text-xl font-semibold tabular-nums" title={formatExact(value)}>
                {formatCount(value)}
              </dd>
              {value !== null && (
                <dd className={`text-xs tabular-nums ${CHANGE_TONES[change.tone]}`} title={change.words}>
                  {change.text} <span className="sr-only">({change.words})</span>
                  <span aria-hidden="true" className="text-slate-500">
                    {" "}
                    7 d
                  </span>
                </dd>
              )}
              {reason && <dd className="mt-1 text-xs text-slate-600">{reason}</dd>}
            </div>
          );
        })}
      </dl>
      {sharedReason && (
        <p data-testid="stats-missing" className="mt-2 text-sm text-slate-600">
          {sharedReason}
        </p>
      )}

      <div className="mt-3">
        <Sparkline values={trend} label={`${view.displayName}'s followers over the last 30 days`} />
      </div>

      <nav aria-label={`${view.displayName} pages`} className="mt-4 flex flex-wrap gap-x-4 gap-y-1 text-sm">
        <Link href={`/accounts/${view.id}/analytics`} className="font-medium text-brand-600 hover:underline">
          Analytics
        </Link>
        {view.canListVideos && (
          <Link href={`/accounts/${view.id}/videos`} className="text-brand-600 hover:underline">
            Videos
          </Link>
        )}
        {view.offersUpload && view.canPost && (
          <Link href={`/accounts/${view.id}/upload`} className="text-brand-600 hover:underline">
            Upload a video
          </Link>
        )}
      </nav>
    </article>
  );
}
