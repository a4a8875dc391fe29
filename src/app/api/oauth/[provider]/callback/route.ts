import { NextResponse } from "next/server";
import { getConfig } from "@/lib/config/config";
import { getSessionUser } from "@/lib/auth";
import { readBinding } from "@/lib/connections/browser-binding";
import { OAuthFlowError, type CallbackErrorCode } from "@/lib/connections/errors";
import { ACCOUNTS_PAGE } from "@/lib/connections/connection-service";
import { connectionFor, providerBySlug } from "@/lib/services";
import { parseCallbackUrl } from "@/lib/connections/callback-params";
import { getLogger, safeError } from "@/lib/log/logger";
import { incrementMetric } from "@/lib/observability/metrics";
import { API_CACHE_CONTROL } from "@/lib/observability/security-headers";
import { apiRoute } from "@/lib/http/api-route";

/** No code or state may leak onwards from this URL (S40, RFC 9700 §4.2.4). */
const CALLBACK_HEADERS = { "Referrer-Policy": "no-referrer", "Cache-Control": API_CACHE_CONTROL } as const;

type Context = { params: Promise<{ provider: string }> };

/**
 * GET: the provider's redirect back (the redirect URI registered with it,
 * `/api/oauth/<slug>/callback`). Always ends in a 303 to the accounts page, or 400 for an
 * oversized request, or 404 for a provider this deployment does not have.
 */
async function completeAuthorization(request: Request, context: Context) {
  const { provider: slug } = await context.params;
  const provider = providerBySlug(slug);
  if (!provider) return new NextResponse("Not found", { status: 404, headers: { ...CALLBACK_HEADERS, "Content-Type": "text/plain" } });
  // Size and shape first: nothing oversized reaches the database (S11).
  const params = parseCallbackUrl(request.url, { scopeParam: provider.callbackScopeParam });
  if (!params.ok && params.reason === "oversized") {
    incrementMetric("sf_oauth_callbacks_total", { outcome: "oversized" });
    return new NextResponse("Bad request", { status: 400, headers: { ...CALLBACK_HEADERS, "Content-Type": "text/plain" } });
  }
  const finish = (result: { accountId: string; reconnected: boolean } | { error: CallbackErrorCode }) => redirectToAccounts(slug, result);
  try {
    const user = await getSessionUser(request.headers);
    const binding = readBinding(request.headers.get("cookie"));
    if (!params.ok) return finish({ error: params.reason === "missing_state" ? "missing_params" : "invalid_request" });
    if (!user || !binding) return finish({ error: "invalid_state" });
    const found = await connectionFor(slug);
    if (!found) return finish({ error: "server_error" });
    const account = await found.connection.handleCallback(params, { userId: user.id, browserBinding: binding });
    return finish({ accountId: account.id, reconnected: account.reconnected });
  } catch (error) {
    if (error instanceof OAuthFlowError) return finish({ error: error.code });
    getLogger().error({ event: "oauth.callback_failed", provider: slug, err: safeError(error) });
    return finish({ error: "oauth_failed" });
  }
}

function redirectToAccounts(slug: string, result: { accountId: string; reconnected: boolean } | { error: CallbackErrorCode }) {
  incrementMetric("sf_oauth_callbacks_total", { outcome: "accountId" in result ? "success" : result.error });
  const target = new URL(ACCOUNTS_PAGE, getConfig().appUrl);
  if ("accountId" in result) {
    target.searchParams.set("success", slug);
    target.searchParams.set("account", result.accountId);
    // The banner then names the account "connected again" (the row gives the name, not the URL).
    if (result.reconnected) target.searchParams.set("again", "1");
  } else {
    target.searchParams.set("error", result.error);
    target.searchParams.set("provider", slug);
  }
  return NextResponse.redirect(target, { status: 303, headers: CALLBACK_HEADERS });
}

export const GET = apiRoute(completeAuthorization);
