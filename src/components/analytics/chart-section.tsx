import { plottablePoints, type ChartData } from "@/lib/analytics-view/chart-data";
import { ChartTable } from "./chart-table";
import { TimeChart } from "./time-chart";

/** One chart of the analytics page: heading, the chart (or why there is none yet), its table. */
export function ChartSection({
  id,
  title,
  description,
  data,
  emptyMessage,
}: {
  id: string;
  title: string;
  description?: string;
  data: ChartData;
  /** Shown instead of the chart when fewer than two snapshots carry a value. */
  emptyMessage: string;
}) {
  const enough = plottablePoints(data) >= 2;
  return (
    <section aria-labelledby={`${id}-heading`} data-testid={`chart-section-${id}`} className="mt-8 min-w-0 rounded-2xl border border-slate-200 bg-white p-4">
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        {title}
      </h2>
      {description && <p className="mt-1 text-sm text-slate-600">{description}</p>}
      {enough ? (
        <div className="mt-3">
          <TimeChart data={data} label={`${title}: line chart. The same numbers are in the table below.`} />
        </div>
      ) : (
        <p data-testid="chart-empty" className="mt-3 rounded-xl border border-dashed border-slate-300 p-4 text-sm text-slate-600">
          {emptyMessage}
        </p>
      )}
      {data.times.length > 0 && <ChartTable data={data} caption={title} />}
    </section>
  );
}
