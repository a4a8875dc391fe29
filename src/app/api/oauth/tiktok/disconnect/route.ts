import { NextResponse } from "next/server";
import { guardMutation, jsonError, NO_STORE } from "@/lib/http/route-guard";
import { readAccountIdBody } from "@/lib/http/account-id-body";
import { getTikTokServices } from "@/lib/services";
import { getLogger, safeError } from "@/lib/log/logger";

/** POST `{ accountId }`: revoke at TikTok (best effort), then delete. Idempotent. */
export async function POST(request: Request) {
  const { user, error } = await guardMutation(request);
  if (error) return error;
  const accountId = await readAccountIdBody(request);
  if (!accountId) return jsonError(400, "invalid_request", "Account ID required");
  try {
    const { accounts } = await getTikTokServices();
    const result = await accounts.disconnectForUser(user.id, accountId);
    if (!result.ok) return jsonError(404, "not_found", "Account not found");
    return NextResponse.json(
      { success: true, message: "TikTok account disconnected", revoked: result.revoked, alreadyDisconnected: result.alreadyDisconnected },
      { headers: NO_STORE },
    );
  } catch (err) {
    getLogger().error({ event: "account.disconnect_route_failed", err: safeError(err) });
    return jsonError(500, "disconnect_failed", "Failed to disconnect account");
  }
}
