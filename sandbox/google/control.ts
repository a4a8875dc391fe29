/**
 * SandboxControl: the test-side handle on the sandbox, in process and over HTTP (/__sandbox/...).
 * Playwright tests run in another process and use the HTTP form; every route mirrors one method.
 */
import { z } from "zod";
import { bad, createCoreControl, handleControlRequest, parseJson, type ControlSchemas } from "../kit/control";
import { jsonReply, type Reply } from "./http";
import { issueDirect } from "./oauth";
import { accountIdSchema, endpointSchema, faultSchema, optionsSchema, scopesInputSchema } from "./options";
import type { SandboxState } from "./state";
import type { EndpointName, Fault, SandboxControl, SandboxOptionsInput } from "./types";

export { CONTROL_PREFIX } from "../kit/control";

const schemas: ControlSchemas<SandboxOptionsInput, EndpointName, Fault> = {
  options: optionsSchema,
  endpoint: endpointSchema,
  fault: faultSchema as z.ZodType<Fault>,
};

export function createControl(state: SandboxState): SandboxControl {
  const clientFor = (clientId: string | undefined) => {
    const id = clientId ?? state.options.clients[0]?.clientId;
    const client = id === undefined ? undefined : state.client(id);
    if (client === undefined) throw new Error(`unknown client_id ${String(id)}`);
    return client;
  };
  const projectFor = (projectId: string | undefined) => projectId ?? state.options.clients[0]?.projectId ?? "";
  return {
    ...createCoreControl(state, schemas),
    issueTokensDirectly: ({ accountId, scopes, clientId, offline = true }) => {
      const account = state.ensureAccount(accountIdSchema.parse(accountId));
      return issueDirect(state, clientFor(clientId), account, scopesInputSchema.parse(scopes), offline);
    },
    revokeGrant: (accountId, clientId) => state.revokeForAccount(accountIdSchema.parse(accountId), clientId),
    grantedScopes: (accountId, clientId) => [...state.rememberedScopes(clientFor(clientId).clientId, accountId)],
    users: () => structuredClone(state.chooserAccounts()),
    addTestUsers: (ids) => state.addTestUsers(ids.map((id) => accountIdSchema.parse(id))),
    quota: (projectId) => state.quota.view(projectFor(projectId), state.now(), state.options.dailyQuota),
    setQuotaUsed: (units, projectId) => {
      if (!Number.isInteger(units) || units < 0) throw new RangeError("units must be a non-negative integer");
      state.quota.setUsed(projectFor(projectId), units, state.now());
    },
  };
}

// --- HTTP (the routes of the methods above are the kit's; these are Google's own) ----------------

const revokeGrantBody = z.strictObject({ accountId: accountIdSchema, clientId: z.string().min(1).optional() });
const issueBody = z.strictObject({
  accountId: accountIdSchema,
  scopes: z.union([z.array(z.string()), z.string()]),
  clientId: z.string().min(1).optional(),
  offline: z.boolean().optional(),
});
const addUsersBody = z.strictObject({ accountIds: z.array(accountIdSchema).min(1).max(10_000) });
const quotaBody = z.strictObject({ used: z.number().int().nonnegative(), projectId: z.string().min(1).optional() });

const ROUTES = [
  "POST /__sandbox/issue-tokens    {accountId, scopes, clientId?, offline?}",
  "POST /__sandbox/revoke-grant    {accountId, clientId?}",
  "GET  /__sandbox/grants?account=…[&client_id=…]",
  "GET  /__sandbox/users",
  "POST /__sandbox/users           {accountIds: [...]} (add test accounts to the chooser)",
  "GET  /__sandbox/quota[?project=…]",
  "POST /__sandbox/quota           {used, projectId?}",
];

function handleOwnRoute(control: SandboxControl, method: string, route: string, q: URLSearchParams, body: string): Reply | undefined {
  switch (`${method} ${route}`) {
    case "POST issue-tokens": {
      const r = parseJson(issueBody, body);
      if (!r.ok) return r.reply;
      return jsonReply(200, control.issueTokensDirectly(r.value));
    }
    case "POST revoke-grant": {
      const r = parseJson(revokeGrantBody, body);
      if (!r.ok) return r.reply;
      return jsonReply(200, { ok: true, revokedGrants: control.revokeGrant(r.value.accountId, r.value.clientId) });
    }
    case "GET grants": {
      const account = q.get("account");
      if (!account) return bad("pass account");
      return jsonReply(200, { scopes: control.grantedScopes(account, q.get("client_id") ?? undefined) });
    }
    case "GET users":
      return jsonReply(200, control.users());
    case "POST users": {
      const r = parseJson(addUsersBody, body);
      if (!r.ok) return r.reply;
      control.addTestUsers(r.value.accountIds);
      return jsonReply(200, { ok: true, users: control.users().length });
    }
    case "GET quota":
      return jsonReply(200, control.quota(q.get("project") ?? undefined));
    case "POST quota": {
      const r = parseJson(quotaBody, body);
      if (!r.ok) return r.reply;
      control.setQuotaUsed(r.value.used, r.value.projectId);
      return jsonReply(200, control.quota(r.value.projectId));
    }
    default:
      return undefined;
  }
}

export function handleControl(state: SandboxState, control: SandboxControl, method: string, path: string, query: string, body: string): Reply {
  const router = { name: "Google sandbox", state, control, schemas, routes: ROUTES, extra: (m: string, route: string, q: URLSearchParams, b: string) => handleOwnRoute(control, m, route, q, b) };
  return handleControlRequest(router, method, path, query, body);
}
