import { NextResponse } from "next/server";
import { guardMutation, jsonError, NO_STORE } from "@/lib/http/route-guard";
import { readAccountIdBody } from "@/lib/http/account-id-body";
import { getAppServices } from "@/lib/services";
import { getLogger, safeError } from "@/lib/log/logger";

type Context = { params: Promise<{ provider: string }> };

/** POST `{ accountId }`: revoke at the provider (best effort), then delete. Idempotent. */
export async function POST(request: Request, context: Context) {
  const { user, error } = await guardMutation(request);
  if (error) return error;
  const accountId = await readAccountIdBody(request);
  if (!accountId) return jsonError(400, "invalid_request", "Account ID required");
  try {
    const { providers, accounts } = await getAppServices();
    const provider = providers.bySlug((await context.params).provider);
    if (!provider) return jsonError(404, "not_found", "Account not found");
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
