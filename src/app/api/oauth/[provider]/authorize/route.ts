import { NextResponse } from "next/server";
import { getConfig } from "@/lib/config/config";
import { guardMutation, jsonError, NO_STORE } from "@/lib/http/route-guard";
import { bindingCookie, newBinding, readBinding } from "@/lib/connections/browser-binding";
import { connectionFor } from "@/lib/services";
import { getLogger, safeError } from "@/lib/log/logger";

type Context = { params: Promise<{ provider: string }> };

/** POST → `{ url }`: where to send the browser to approve at the provider (`/api/oauth/<slug>/authorize`). */
export async function POST(request: Request, context: Context) {
  const { user, error } = await guardMutation(request);
  if (error) return error;
  const { provider: slug } = await context.params;
  try {
    const found = await connectionFor(slug);
    if (!found) return jsonError(404, "not_found", "Unknown provider");
    const existing = readBinding(request.headers.get("cookie"));
    const binding = existing ?? newBinding();
    const url = await found.connection.initiateOAuth(user.id, binding);
    const response = NextResponse.json({ url }, { headers: NO_STORE });
    if (!existing) response.cookies.set(bindingCookie(binding, getConfig().appUrl.startsWith("https://")));
    return response;
  } catch (err) {
    getLogger().error({ event: "oauth.initiate_failed", provider: slug, err: safeError(err) });
    return jsonError(500, "oauth_init_failed", "Failed to start the connection");
  }
}
