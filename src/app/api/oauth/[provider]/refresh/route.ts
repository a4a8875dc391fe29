import { NextResponse } from "next/server";
import { jsonError, NO_STORE } from "@/lib/http/route-guard";
import { startAccountMutation, type ProviderRouteContext } from "../account-mutation";
import { getLogger, safeError } from "@/lib/log/logger";
import { ACCOUNT_UNAVAILABLE_MESSAGE } from "@/lib/connections/unavailable-message";
import { apiRoute } from "@/lib/http/api-route";

/** POST `{ accountId }`: refresh that account's token at its provider now. */
async function refreshAccount(request: Request, context: ProviderRouteContext) {
  try {
    const started = await startAccountMutation(request, context);
    if (!started.ok) return started.response;
    const { user, accountId, provider, services } = started.value;
    const { accounts } = services;
    const result = await accounts.refreshForUser(user.id, accountId, provider.platform);
    if (result.ok) {
      return NextResponse.json(
        { success: true, message: `${provider.displayName} token refreshed successfully`, tokenExpiry: result.tokenExpiry.toISOString() },
        { headers: NO_STORE },
      );
    }
    switch (result.error) {
      case "not_found":
        return jsonError(404, "not_found", "Account not found");
      case "no_refresh_token":
        return jsonError(400, "no_refresh_token", "No refresh token available");
      case "expired":
        return jsonError(409, "reconnect_required", `${provider.displayName} access has ended: reconnect the account`);
      case "unavailable":
        return jsonError(503, "account_unavailable", ACCOUNT_UNAVAILABLE_MESSAGE);
      case "refresh_failed":
        return jsonError(500, "refresh_failed", "Failed to refresh token");
      case "throttled": {
        const seconds = result.retryAfterSeconds;
        const response = jsonError(429, "refresh_throttled", `A refresh was tried moments ago — try again in ${seconds} s`);
        response.headers.set("Retry-After", String(seconds));
        return response;
      }
    }
  } catch (err) {
    getLogger().error({ event: "token.refresh_route_failed", err: safeError(err) });
    return jsonError(500, "refresh_failed", "Failed to refresh token");
  }
}

export const POST = apiRoute(refreshAccount);
