import { NextResponse } from "next/server";
import { getConfig } from "@/lib/config/config";
import { requireAuth } from "@/lib/auth-helpers";
import type { SessionUser } from "@/lib/auth";
import { API_CACHE_CONTROL } from "@/lib/observability/security-headers";
import { isSameOriginRequest } from "./same-origin";

/** The API's JSON answers: see API_CACHE_CONTROL. */
export const NO_STORE = { "Cache-Control": API_CACHE_CONTROL } as const;

export function jsonError(status: number, code: string, error: string) {
  return NextResponse.json({ error, code }, { status, headers: NO_STORE });
}

/**
 * Entry check of every state-changing route: cross-site requests are refused before anything
 * else is looked at (S40), then the session is required (S1).
 */
export async function guardMutation(
  request: Request,
): Promise<{ user: SessionUser; error: null } | { user: null; error: NextResponse }> {
  if (!isSameOriginRequest(request, getConfig().appUrl)) {
    return { user: null, error: jsonError(403, "cross_site_request", "Cross-site request refused") };
  }
  const { user, error } = await requireAuth(request.headers);
  if (error) return { user: null, error };
  return { user, error: null };
}
