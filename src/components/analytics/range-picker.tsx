import Link from "next/link";
import { ANALYTICS_RANGES, type AnalyticsRangeDays } from "@/lib/analytics/types";

/** 7 / 30 / 90 days as links (`?range=`): each range has its own URL to bookmark or share. */
export function RangePicker({ basePath, current }: { basePath: string; current: AnalyticsRangeDays }) {
  return (
    <nav aria-label="Period" className="inline-flex rounded-lg border border-slate-300 bg-white p-0.5 text-sm">
      {ANALYTICS_RANGES.map((days) => (
        <Link
          key={days}
          href={`${basePath}?range=${days}`}
          aria-current={days === current ? "page" : undefined}
          className={`rounded-md px-3 py-1 ${days === current ? "bg-brand-600 font-semibold text-white" : "text-slate-700 hover:bg-slate-100"}`}
        >
          {days} days
        </Link>
      ))}
    </nav>
  );
}
