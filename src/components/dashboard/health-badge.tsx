import type { TileHealthKind } from "@/lib/analytics-view/dashboard";

/** Colour follows the words (never colour alone): the label is always in the badge. */
const TONES: Record<TileHealthKind, string> = {
  connected: "bg-emerald-100 text-emerald-800",
  reconnect: "bg-red-100 text-red-800",
  permission: "bg-amber-100 text-amber-900",
  trouble: "bg-slate-200 text-slate-800",
};

const MARKS: Record<TileHealthKind, string> = { connected: "●", reconnect: "!", permission: "◐", trouble: "…" };

export function HealthBadge({ kind, label }: { kind: TileHealthKind; label: string }) {
  return (
    <span data-testid="account-health" data-health={kind} className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-semibold ${TONES[kind]}`}>
      <span aria-hidden="true">{MARKS[kind]}</span>
      {label}
    </span>
  );
}
