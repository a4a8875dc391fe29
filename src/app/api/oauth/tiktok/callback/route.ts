import { NextResponse } from "next/server";
import { getConfig } from "@/lib/config/config";
import { getSessionUser } from "@/lib/auth";
import { parseCallbackUrl } from "@/lib/connections/callback-params";
import { readBinding } from "@/lib/connections/browser-binding";
import { OAuthFlowError, type CallbackErrorCode } from "@/lib/connections/errors";
import { ACCOUNTS_PAGE } from "@/lib/connections/connection-service";
import { getTikTokServices } from "@/lib/services";
import { getLogger, safeError } from "@/lib/log/logger";
import { incrementMetric } from "@/lib/observability/metrics";

/** No code or state may leak onwards from this URL (S40, RFC 9700 §4.2.4). */
const CALLBACK_HEADERS = { "Referrer-Policy": "no-referrer", "Cache-Control": "no-store" } as const;

/** GET: TikTok's redirect back. Always ends in a 303 to the accounts page, or 400 for an oversized request. */
export async function GET(request: Request) {
  // Size and shape first: nothing oversized reaches the database (S11).
  const params = parseCallbackUrl(request.url);
  if (!params.ok && params.reason === "oversized") {
    incrementMetric("sf_oauth_callbacks_total", { outcome: "oversized" });
    return new NextResponse("Bad request", { status: 400, headers: { ...CALLBACK_HEADERS, "Content-Type": "text/plain" } });
  }
  try {
    const user = await getSessionUser(request.headers);
    const binding = readBinding(request.headers.get("cookie"));
    if (!params.ok) return finish({ error: params.reason === "missing_state" ? "missing_params" : "invalid_request" });
    if (!user || !binding) return finish({ error: "invalid_state" });
    const { oauth } = await getTikTokServices();
    const account = await oauth.handleCallback(params, { userId: user.id, browserBinding: binding });
    return finish({ accountId: account.id });
  } catch (error) {
    if (error instanceof OAuthFlowError) return finish({ error: error.code });
    getLogger().error({ event: "oauth.callback_failed", provider: "tiktok", err: safeError(error) });
    return finish({ error: "oauth_failed" });
  }
}

function finish(result: { accountId: string } | { error: CallbackErrorCode }) {
  incrementMetric("sf_oauth_callbacks_total", { outcome: "accountId" in result ? "success" : result.error });
  const target = new URL(ACCOUNTS_PAGE, getConfig().appUrl);
  if ("accountId" in result) {
    target.searchParams.set("success", "tiktok");
    target.searchParams.set("account", result.accountId);
  } else {
    target.searchParams.set("error", result.error);
  }
  return NextResponse.redirect(target, { status: 303, headers: CALLBACK_HEADERS });
}
