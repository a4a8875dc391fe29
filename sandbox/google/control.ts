/**
 * SandboxControl: the test-side handle on the sandbox, in process and over HTTP (/__sandbox/...).
 * Playwright tests run in another process and use the HTTP form; every route mirrors one method.
 */
import { z } from "zod";
import { jsonReply, type Reply } from "./http";
import { issueDirect } from "./oauth";
import { accountIdSchema, endpointSchema, faultSchema, optionsSchema, scopesInputSchema } from "./options";
import type { SandboxState } from "./state";
import type { Fault, SandboxControl } from "./types";

export const CONTROL_PREFIX = "/__sandbox/";

export function createControl(state: SandboxState): SandboxControl {
  const clientFor = (clientId: string | undefined) => {
    const id = clientId ?? state.options.clients[0]?.clientId;
    const client = id === undefined ? undefined : state.client(id);
    if (client === undefined) throw new Error(`unknown client_id ${String(id)}`);
    return client;
  };
  const projectFor = (projectId: string | undefined) => projectId ?? state.options.clients[0]?.projectId ?? "";
  return {
    reset: () => state.reset(),
    setOptions: (partial) => {
      const { now, ...rest } = partial;
      const checked = optionsSchema.parse(rest);
      state.setOptions(now === undefined ? checked : { ...checked, now });
    },
    options: () => {
      const rest: Partial<typeof state.options> = { ...state.options };
      delete rest.now;
      return structuredClone(rest) as ReturnType<SandboxControl["options"]>;
    },
    queueFault: (endpoint, fault, times = 1) => state.faults.add(endpointSchema.parse(endpoint), faultSchema.parse(fault) as Fault, times),
    clearFaults: () => state.faults.clear(),
    advanceTime: (ms) => state.advanceTime(ms),
    now: () => state.now(),
    counters: () => structuredClone(state.counters),
    requestLog: () => state.requestLog(),
    tokenState: (refreshToken) => state.tokenState(refreshToken),
    accessTokenState: (accessToken) => state.accessTokenState(accessToken),
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

// --- HTTP ---------------------------------------------------------------------------------------

const faultBody = z.strictObject({ endpoint: endpointSchema, fault: faultSchema, times: z.number().int().min(1).max(1_000_000).optional() });
const revokeGrantBody = z.strictObject({ accountId: accountIdSchema, clientId: z.string().min(1).optional() });
const advanceBody = z.strictObject({ ms: z.number().nonnegative().max(10 * 365 * 86_400_000) });
const tokenStateBody = z.union([z.strictObject({ refreshToken: z.string().min(1) }), z.strictObject({ accessToken: z.string().min(1) })]);
const issueBody = z.strictObject({
  accountId: accountIdSchema,
  scopes: z.union([z.array(z.string()), z.string()]),
  clientId: z.string().min(1).optional(),
  offline: z.boolean().optional(),
});
const addUsersBody = z.strictObject({ accountIds: z.array(accountIdSchema).min(1).max(10_000) });
const quotaBody = z.strictObject({ used: z.number().int().nonnegative(), projectId: z.string().min(1).optional() });

function bad(message: string, issues?: unknown): Reply {
  return jsonReply(400, { error: "bad_request", message, issues });
}

function parseJson<T>(schema: z.ZodType<T>, body: string): { ok: true; value: T } | { ok: false; reply: Reply } {
  let raw: unknown;
  try {
    raw = body.trim() === "" ? {} : JSON.parse(body);
  } catch {
    return { ok: false, reply: bad("body is not valid JSON") };
  }
  const r = schema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, reply: bad("invalid body", z.treeifyError(r.error)) };
}

export const CONTROL_ROUTES = [
  "GET  /__sandbox/                (this list)",
  "POST /__sandbox/reset",
  "GET  /__sandbox/options",
  "POST /__sandbox/options         {…partial options}",
  "POST /__sandbox/faults          {endpoint, fault, times?}",
  "GET  /__sandbox/faults",
  "DELETE /__sandbox/faults",
  "POST /__sandbox/advance-time    {ms}",
  "GET  /__sandbox/now",
  "GET  /__sandbox/counters",
  "GET  /__sandbox/requests",
  "GET  /__sandbox/token-state?refresh_token=… | ?access_token=…",
  "POST /__sandbox/token-state     {refreshToken} | {accessToken}",
  "POST /__sandbox/issue-tokens    {accountId, scopes, clientId?, offline?}",
  "POST /__sandbox/revoke-grant    {accountId, clientId?}",
  "GET  /__sandbox/grants?account=…[&client_id=…]",
  "GET  /__sandbox/users",
  "POST /__sandbox/users           {accountIds: [...]} (add test accounts to the chooser)",
  "GET  /__sandbox/quota[?project=…]",
  "POST /__sandbox/quota           {used, projectId?}",
];

export function handleControl(state: SandboxState, control: SandboxControl, method: string, path: string, query: string, body: string): Reply {
  const route = path.slice(CONTROL_PREFIX.length).replace(/\/+$/, "");
  const q = new URLSearchParams(query);
  try {
    switch (`${method} ${route}`) {
      case "GET ":
        return jsonReply(200, { name: "Google sandbox", url: state.baseUrl, routes: CONTROL_ROUTES });
      case "POST reset":
        control.reset();
        return jsonReply(200, { ok: true });
      case "GET options":
        return jsonReply(200, control.options());
      case "POST options": {
        const r = parseJson(optionsSchema, body);
        if (!r.ok) return r.reply;
        control.setOptions(r.value);
        return jsonReply(200, control.options());
      }
      case "POST faults": {
        const r = parseJson(faultBody, body);
        if (!r.ok) return r.reply;
        control.queueFault(r.value.endpoint, r.value.fault as Fault, r.value.times ?? 1);
        return jsonReply(200, { ok: true, pending: state.faults.pending() });
      }
      case "GET faults":
        return jsonReply(200, { pending: state.faults.pending() });
      case "DELETE faults":
        control.clearFaults();
        return jsonReply(200, { ok: true });
      case "POST advance-time": {
        const r = parseJson(advanceBody, body);
        if (!r.ok) return r.reply;
        control.advanceTime(r.value.ms);
        return jsonReply(200, { ok: true, now: control.now() });
      }
      case "GET now":
        return jsonReply(200, { now: control.now() });
      case "GET counters":
        return jsonReply(200, control.counters());
      case "GET requests":
        return jsonReply(200, control.requestLog());
      case "GET token-state": {
        const refresh = q.get("refresh_token");
        const access = q.get("access_token");
        if (refresh) return jsonReply(200, { state: control.tokenState(refresh) });
        if (access) return jsonReply(200, { state: control.accessTokenState(access) });
        return bad("pass refresh_token or access_token");
      }
      case "POST token-state": {
        const r = parseJson(tokenStateBody, body);
        if (!r.ok) return r.reply;
        const v = r.value;
        return jsonReply(200, { state: "refreshToken" in v ? control.tokenState(v.refreshToken) : control.accessTokenState(v.accessToken) });
      }
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
        return jsonReply(404, { error: "not_found", message: `no control route ${method} ${path}`, routes: CONTROL_ROUTES });
    }
  } catch (e) {
    return bad(e instanceof Error ? e.message : "invalid request");
  }
}
