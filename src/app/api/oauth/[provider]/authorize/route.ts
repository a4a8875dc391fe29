import { NextResponse } from "next/server";
import { getConfig } from "@/lib/config/config";
import { guardMutation, jsonError, NO_STORE } from "@/lib/http/route-guard";
import { bindingCookie, newBinding, readBinding } from "@/lib/connections/browser-binding";
import { connectionFor } from "@/lib/services";
import { readAuthorizeBody } from "@/lib/http/authorize-body";
import { ACCOUNTS_PAGE } from "@/lib/connections/connection-service";
import { getLogger, safeError } from "@/lib/log/logger";
import { apiRoute } from "@/lib/http/api-route";

type Context = { params: Promise<{ provider: string }> };

/**
 * POST → `{ url }`: where to send the browser to approve at the provider (`/api/oauth/<slug>/authorize`).
 * Body: none, or `{ scopes }` for "Grant permission" (only scopes the provider asks for; else 400).
 */
async function startAuthorization(request: Request, context: Context) {
  const { user, error } = await guardMutation(request);
  if (error) return error;
  const { provider: slug } = await context.params;
  try {
    const found = await connectionFor(slug);
    if (!found) return jsonError(404, "not_found", "Unknown provider");
    const body = await readAuthorizeBody(request, found.provider.scopes);
    if (!body) return jsonError(400, "invalid_request", "Unknown permission requested");
    const existing = readBinding(request.headers.get("cookie"));
    const binding = existing ?? newBinding();
    const url = await found.connection.initiateOAuth(user.id, binding, ACCOUNTS_PAGE, body.scopes);
    const response = NextResponse.json({ url }, { headers: NO_STORE });
    if (!existing) response.cookies.set(bindingCookie(binding, getConfig().appUrl.startsWith("https://")));
    return response;
  } catch (err) {
    getLogger().error({ event: "oauth.initiate_failed", provider: slug, err: safeError(err) });
    return jsonError(500, "oauth_init_failed", "Failed to start the connection");
  }
}

export const POST = apiRoute(startAuthorization);
