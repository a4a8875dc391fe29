import { z } from "zod";
import { ANALYTICS_RANGES, type AnalyticsRangeDays } from "@/lib/analytics/types";

export const DEFAULT_RANGE_DAYS: AnalyticsRangeDays = 30;

/**
 * `?range=` of the analytics page: 7, 30 or 90 days. Anything else (missing, repeated, "abc",
 * "31") falls back to 30 days: a bad bookmark shows the page, not an error.
 */
const rangeParam = z
  .string()
  .regex(/^\d{1,3}$/)
  .transform(Number)
  .pipe(z.literal(ANALYTICS_RANGES))
  .catch(DEFAULT_RANGE_DAYS);

export function parseRangeParam(value: string | string[] | undefined): AnalyticsRangeDays {
  return rangeParam.parse(typeof value === "string" ? value : undefined);
}
