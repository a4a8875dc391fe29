import { processSingleton } from "@/lib/process-registry";

/**
 * In-process counters (issue 7, item 5): what an operator watches — refreshes and their
 * failures, expirations, budget refusals, Redis fallbacks, callbacks by outcome, sweeps.
 * Exposed as Prometheus text by `GET /api/metrics` and as periodic `event: "metric"` log lines
 * by the sweeper (the worker has no HTTP port). Per process: each instance counts its own,
 * a scraper sums them. Label values come from fixed code lists, never from a request.
 */

export const METRICS = {
  sf_oauth_callbacks_total: "OAuth callbacks answered, by outcome (success, or the fixed error code; oversized = 400)",
  sf_token_refreshes_total: "Token refreshes stored (TikTok answered and the new pair was saved)",
  sf_token_refresh_failures_total: "Token refreshes that failed, by reason (provider_unreachable is transient)",
  sf_token_refresh_unsaved_total: "Rotated token pairs TikTok issued that could not be stored (the account will need a reconnect)",
  sf_token_expirations_total: "Accounts marked EXPIRED (needs reconnect), by reason",
  sf_token_unreadable_total: "Stored tokens that did not decrypt (a key id missing from TOKEN_ENCRYPTION_KEYS), by field and source",
  sf_stored_key_ids_missing_total: "Key ids found in stored ciphertexts at start-up that the keyring lacks (one count per missing key id)",
  sf_reconnects_requested_total: "Accounts asked to reconnect because their refresh token ends within 14 days",
  sf_budget_refusals_total: "TikTok calls refused by SocialFlow's own per-user budget (local 429), by window",
  sf_token_limit_refusals_total: "TikTok calls held back to stay inside TikTok's own per-token limit, by endpoint",
  sf_provider_quota_refusals_total: "Provider calls held back because the project's daily quota (by SocialFlow's ledger) is spent, by provider",
  sf_budget_redis_unavailable_total: "Budget checks made while Redis was unreachable (counted per instance, in memory)",
  sf_sweeps_total: "Refresh sweeper passes, by result (ok, failed = database unreachable)",
  sf_sweep_claimed_total: "Accounts claimed by the refresh sweeper",
  sf_analytics_snapshots_total: "Analytics snapshots attempted, by result (ok, or the fixed call error code)",
  sf_analytics_retention_deleted_total: "Analytics snapshot rows deleted for being older than ANALYTICS_RETENTION_DAYS, by table",
} as const;

export type MetricName = keyof typeof METRICS;
export type Labels = Record<string, string>;

interface Registry {
  counters: Map<string, { name: MetricName; labels: Labels; value: number }>;
}

declare module "@/lib/process-registry" {
  interface ProcessSlots {
    metrics: Registry;
  }
}

// One registry per process even when Next loads this module in several bundles.
const registry = (): Registry => processSingleton("metrics", () => ({ counters: new Map() }));

const LABEL_VALUE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Adds `by` to a counter. A label value outside the safe alphabet is recorded as "other". */
export function incrementMetric(name: MetricName, labels: Labels = {}, by = 1): void {
  const clean: Labels = {};
  for (const key of Object.keys(labels).sort()) clean[key] = LABEL_VALUE.test(labels[key]!) ? labels[key]! : "other";
  const id = `${name}${JSON.stringify(clean)}`;
  const counters = registry().counters;
  const existing = counters.get(id);
  if (existing) existing.value += by;
  else counters.set(id, { name, labels: clean, value: by });
}

/** Every counter with its labels, sorted: for log lines and tests. */
export function metricsSnapshot(): { name: MetricName; labels: Labels; value: number }[] {
  return [...registry().counters.values()]
    .map((c) => ({ name: c.name, labels: { ...c.labels }, value: c.value }))
    .sort((a, b) => (a.name === b.name ? JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)) : a.name.localeCompare(b.name)));
}

/** The value of one counter (0 when never incremented). */
export function metricValue(name: MetricName, labels: Labels = {}): number {
  const wanted = JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))));
  return metricsSnapshot().find((c) => c.name === name && JSON.stringify(c.labels) === wanted)?.value ?? 0;
}

/** Prometheus text exposition format 0.0.4: HELP and TYPE for every known counter, then samples. */
export function renderPrometheus(): string {
  const snapshot = metricsSnapshot();
  const lines: string[] = [];
  for (const name of Object.keys(METRICS) as MetricName[]) {
    lines.push(`# HELP ${name} ${METRICS[name]}`, `# TYPE ${name} counter`);
    const samples = snapshot.filter((c) => c.name === name);
    if (samples.length === 0) lines.push(`${name} 0`);
    for (const sample of samples) {
      const labels = Object.entries(sample.labels).map(([k, v]) => `${k}="${v}"`);
      lines.push(`${name}${labels.length ? `{${labels.join(",")}}` : ""} ${sample.value}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** The counters as one compact object for a log line: `{ "name{label=value}": n }`. */
export function metricsLogFields(): Record<string, number> {
  return Object.fromEntries(
    metricsSnapshot().map((c) => {
      const labels = Object.entries(c.labels).map(([k, v]) => `${k}=${v}`);
      return [`${c.name}${labels.length ? `{${labels.join(",")}}` : ""}`, c.value];
    }),
  );
}

export function resetMetricsForTests(): void {
  registry().counters.clear();
}
