import { NextResponse } from "next/server";
import { jsonError, NO_STORE } from "@/lib/http/route-guard";
import { startAccountMutation, type ProviderRouteContext } from "../account-mutation";
import { getLogger, safeError } from "@/lib/log/logger";
import { apiRoute } from "@/lib/http/api-route";

/** POST `{ accountId }`: revoke at the provider (best effort), then delete. Idempotent. */
async function disconnectAccount(request: Request, context: ProviderRouteContext) {
  try {
    const started = await startAccountMutation(request, context);
    if (!started.ok) return started.response;
    const { user, accountId, provider, services } = started.value;
    const { accounts } = services;
    const result = await accounts.disconnectForUser(user.id, accountId, provider.platform);
    if (!result.ok) return jsonError(404, "not_found", "Account not found");
    return NextResponse.json(
      {
        success: true,
        message: `${provider.displayName} account disconnected`,
        revoked: result.revoked,
        alreadyDisconnected: result.alreadyDisconnected,
      },
      { headers: NO_STORE },
    );
  } catch (err) {
    getLogger().error({ event: "account.disconnect_route_failed", err: safeError(err) });
    return jsonError(500, "disconnect_failed", "Failed to disconnect account");
  }
}

export const POST = apiRoute(disconnectAccount);
