import { NextResponse } from "next/server";
import { guardMutation, jsonError, NO_STORE } from "@/lib/http/route-guard";
import { readAccountIdBody } from "@/lib/http/account-id-body";
import { getAppServices } from "@/lib/services";
import { getLogger, safeError } from "@/lib/log/logger";
import { ACCOUNT_UNAVAILABLE_MESSAGE } from "@/lib/connections/unavailable-message";

type Context = { params: Promise<{ provider: string }> };

/** POST `{ accountId }`: refresh that account's token at its provider now. */
export async function POST(request: Request, context: Context) {
  const { user, error } = await guardMutation(request);
  if (error) return error;
  const accountId = await readAccountIdBody(request);
  if (!accountId) return jsonError(400, "invalid_request", "Account ID required");
  try {
    const { providers, accounts } = await getAppServices();
    const provider = providers.bySlug((await context.params).provider);
    if (!provider) return jsonError(404, "not_found", "Account not found");
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
