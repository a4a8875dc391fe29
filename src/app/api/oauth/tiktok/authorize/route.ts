import { NextResponse } from "next/server";
import { getConfig } from "@/lib/config/config";
import { guardMutation, jsonError, NO_STORE } from "@/lib/http/route-guard";
import { bindingCookie, newBinding, readBinding } from "@/lib/connections/browser-binding";
import { getTikTokServices } from "@/lib/services";
import { getLogger, safeError } from "@/lib/log/logger";

/** POST → `{ url }`: where to send the browser to approve at TikTok. */
export async function POST(request: Request) {
  const { user, error } = await guardMutation(request);
  if (error) return error;
  try {
    const existing = readBinding(request.headers.get("cookie"));
    const binding = existing ?? newBinding();
    const { oauth } = await getTikTokServices();
    const url = await oauth.initiateOAuth(user.id, binding);
    const response = NextResponse.json({ url }, { headers: NO_STORE });
    if (!existing) response.cookies.set(bindingCookie(binding, getConfig().appUrl.startsWith("https://")));
    return response;
  } catch (err) {
    getLogger().error({ event: "oauth.initiate_failed", provider: "tiktok", err: safeError(err) });
    return jsonError(500, "oauth_init_failed", "Failed to initiate TikTok OAuth");
  }
}
