import type { NextResponse } from "next/server";
import { guardMutation, jsonError } from "@/lib/http/route-guard";
import { readAccountIdBody } from "@/lib/http/account-id-body";
import type { SessionUser } from "@/lib/auth";
import type { ConnectionProvider } from "@/lib/connections/provider";
import { getAppServices, type AppServices } from "@/lib/services";

export type ProviderRouteContext = { params: Promise<{ provider: string }> };

type Mutation = { user: SessionUser; accountId: string; provider: ConnectionProvider; services: AppServices };

/**
 * The common start of POST `{ accountId }` to `/api/oauth/<provider>/…` (refresh, disconnect):
 * cross-site refusal and session (guardMutation), the account id from the body, the provider by
 * its slug (unknown → the same 404 as an unknown account, so nothing is learned from it).
 */
export async function startAccountMutation(request: Request, context: ProviderRouteContext): Promise<{ ok: true; value: Mutation } | { ok: false; response: NextResponse }> {
  const { user, error } = await guardMutation(request);
  if (error) return { ok: false, response: error };
  const accountId = await readAccountIdBody(request);
  if (!accountId) return { ok: false, response: jsonError(400, "invalid_request", "Account ID required") };
  const services = await getAppServices();
  const provider = services.providers.bySlug((await context.params).provider);
  if (!provider) return { ok: false, response: jsonError(404, "not_found", "Account not found") };
  return { ok: true, value: { user, accountId, provider, services } };
}
