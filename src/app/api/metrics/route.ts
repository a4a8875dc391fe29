import { metricsAccess } from "@/lib/observability/metrics-access";
import { renderPrometheus } from "@/lib/observability/metrics";
import { apiRoute } from "@/lib/http/api-route";

export const dynamic = "force-dynamic";

/** GET: this instance's counters as Prometheus text (docs/observability.md). */
function serveMetrics(request: Request) {
  const access = metricsAccess(request.headers.get("authorization"));
  if (access === "disabled") return new Response("Not found", { status: 404, headers: { "Cache-Control": "no-store" } });
  if (access === "unauthorized") {
    return new Response("Unauthorized", {
      status: 401,
      headers: { "Cache-Control": "no-store", "WWW-Authenticate": 'Bearer realm="metrics"' },
    });
  }
  return new Response(renderPrometheus(), {
    headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store" },
  });
}

export const GET = apiRoute(serveMetrics);
