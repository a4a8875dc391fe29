import { apiRoute } from "@/lib/http/api-route";
import { jsonError } from "@/lib/http/route-guard";

// Any path under /api that no route has: a JSON 404 with the API's headers (src/proxy.ts does
// not run for /api, so Next's HTML not-found page would otherwise answer without them).
const notFound = apiRoute(() => jsonError(404, "not_found", "Not found"));

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
