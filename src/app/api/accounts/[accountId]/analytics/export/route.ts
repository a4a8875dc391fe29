import { z } from "zod";
import { idSchema } from "@/lib/http/ids";
import { requireAuth } from "@/lib/auth-helpers";
import { jsonError, NO_STORE } from "@/lib/http/route-guard";
import { getDb } from "@/lib/db";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { getAccountAnalytics } from "@/lib/analytics/query-service";
import { analyticsCsv, exportFileName } from "@/lib/analytics/export";
import { ANALYTICS_RANGES, type AnalyticsRangeDays } from "@/lib/analytics/types";
import { getLogger } from "@/lib/log/logger";
import { apiRoute } from "@/lib/http/api-route";

const paramsSchema = z.object({ accountId: idSchema });
const rangeSchema = z
  .enum(ANALYTICS_RANGES.map(String) as [string, ...string[]])
  .default("30")
  .transform((v) => Number(v) as AnalyticsRangeDays);

/** GET `?range=7|30|90`: the account's analytics as a CSV download (issue #13). */
async function exportAnalytics(request: Request, context: { params: Promise<{ accountId: string }> }) {
  const { user, error } = await requireAuth(request.headers);
  if (error) return error;
  const params = paramsSchema.safeParse(await context.params);
  const range = rangeSchema.safeParse(new URL(request.url).searchParams.get("range") ?? undefined);
  if (!params.success || !range.success) return jsonError(400, "invalid_request", "Invalid account or range");
  try {
    const db = await getDb();
    const account = await accountsOf(db, user.id).get(params.data.accountId);
    if (!account) return jsonError(404, "not_found", "Account not found");
    const now = new Date();
    const csv = analyticsCsv(await getAccountAnalytics(db, account, range.data, now));
    return new Response(csv, {
      headers: {
        ...NO_STORE,
        "Content-Type": "text/csv; charset=utf-8; header=present",
        "Content-Disposition": `attachment; filename="${exportFileName(account.row.platform, range.data, now)}"`,
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (err) {
    getLogger().error({ event: "analytics.export_failed", err });
    return jsonError(500, "export_failed", "Could not export analytics");
  }
}

export const GET = apiRoute(exportAnalytics);
