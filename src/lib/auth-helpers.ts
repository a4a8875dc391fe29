import { NextResponse } from "next/server";
import { headers } from "next/headers";
import { getSessionUser, type SessionUser } from "@/lib/auth";

export type RequireAuthResult =
  | { user: SessionUser; error: null }
  | { user: null; error: NextResponse<{ error: string; code: string }> };

/**
 * `requireAuth()`: `{ user, error }` where `error` is a ready 401 JSON
 * response. Reads the request's headers from Next unless given them (tests, services).
 */
export async function requireAuth(requestHeaders?: Headers): Promise<RequireAuthResult> {
  const user = await getSessionUser(requestHeaders ?? (await headers()));
  if (user) return { user, error: null };
  return {
    user: null,
    error: NextResponse.json({ error: "Authentication required", code: "unauthenticated" }, { status: 401 }),
  };
}
