import type { ChartData } from "@/lib/analytics-view/chart-data";
import { formatExact, formatRate, formatSnapshotTime } from "@/lib/analytics-view/format";

/**
 * The chart's numbers as a real table (the accessible alternative to the canvas), folded away
 * under "Show as table" so the page stays short; newest first, as people read a log.
 */
export function ChartTable({ data, caption }: { data: ChartData; caption: string }) {
  const rows = data.times.map((t, i) => ({ at: new Date(t * 1000), values: data.series.map((s) => ({ kind: s.kind, value: s.values[i] ?? null })) })).reverse();
  return (
    <details className="mt-2 text-sm">
      <summary className="cursor-pointer text-brand-600 hover:underline">Show as table</summary>
      <div className="mt-2 max-h-80 overflow-auto rounded-xl border border-slate-200">
        <table className="w-full text-left">
          <caption className="sr-only">{caption}</caption>
          <thead className="bg-slate-50 text-slate-600">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">
                Snapshot
              </th>
              {data.series.map((s) => (
                <th key={s.label} scope="col" className="px-3 py-2 text-right font-medium">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((row) => (
              <tr key={row.at.getTime()} data-testid="chart-row">
                <th scope="row" className="px-3 py-1.5 font-normal whitespace-nowrap">
                  {formatSnapshotTime(row.at)}
                </th>
                {row.values.map((cell, i) => (
                  <td key={i} className="px-3 py-1.5 text-right tabular-nums">
                    {cell.kind === "rate" ? formatRate(cell.value) : formatExact(cell.value)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
