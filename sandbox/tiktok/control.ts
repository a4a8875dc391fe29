/**
 * SandboxControl: the test-side handle on the sandbox, in process and over HTTP (/__sandbox/...).
 * Playwright tests run in another process and use the HTTP form; every route mirrors one method.
 */
import { z } from "zod";
import { jsonReply, type Reply } from "./http";
import { endpointSchema, faultSchema, openIdSchema, optionsSchema, scopesInputSchema } from "./options";
import { failPublish } from "./posting";
import { publishStatus } from "./publish-status";
import type { SandboxState } from "./state";
import { isScope, type Fault, type IssuedTokens, type SandboxControl, type Scope, type UploadInfo } from "./types";

export const CONTROL_PREFIX = "/__sandbox/";

export function createControl(state: SandboxState): SandboxControl {
  const control: SandboxControl = {
    reset: () => state.reset(),
    setOptions: (partial) => {
      const { now, ...rest } = partial;
      // Validate everything but the clock function with the same schema as the HTTP route.
      const checked = optionsSchema.parse(rest);
      state.setOptions(now === undefined ? checked : { ...checked, now });
    },
    options: () => {
      const rest: Partial<typeof state.options> = { ...state.options };
      delete rest.now; // a function: neither clonable nor meaningful over HTTP
      return structuredClone(rest) as ReturnType<SandboxControl["options"]>;
    },
    queueFault: (endpoint, fault, times = 1) => {
      state.faults.add(endpointSchema.parse(endpoint), faultSchema.parse(fault) as Fault, times);
    },
    clearFaults: () => state.faults.clear(),
    advanceTime: (ms) => state.advanceTime(ms),
    now: () => state.now(),
    revokeGrant: (openId) => state.revokeAllForOpenId(openId),
    failUpload: (publishId, failReason) => {
      if (!failPublish(state, publishId, failReason)) throw new Error(`unknown publish_id ${publishId}`);
    },
    counters: () => structuredClone(state.counters),
    requestLog: () => state.requestLog(),
    tokenState: (refreshToken) => state.tokenState(refreshToken),
    accessTokenState: (accessToken) => state.accessTokenState(accessToken),
    issueTokensDirectly: ({ openId, scopes, clientKey }): IssuedTokens => {
      const id = openIdSchema.parse(openId);
      const list = (typeof scopes === "string" ? scopes.split(",") : [...scopes]).map((s) => s.trim());
      const bad = list.filter((s) => !isScope(s));
      if (bad.length > 0 || list.length === 0) throw new Error(`unknown scope(s): ${bad.join(",")}`);
      const key = clientKey ?? state.options.clients[0]?.clientKey;
      if (key === undefined || state.client(key) === undefined) throw new Error(`unknown client_key ${String(key)}`);
      state.ensureUser(id);
      return state.issueGrant(key, id, list as Scope[]).tokens;
    },
    users: () => state.seedUsers(),
    addTestUsers: (openIds) => state.addTestUsers(openIds.map((id) => openIdSchema.parse(id))),
    upload: (publishId): UploadInfo | undefined => {
      const p = state.publishes.get(publishId);
      if (p === undefined) return undefined;
      const view = publishStatus(p, state.now(), state.options.statusStepMs);
      return {
        publishId: p.publishId,
        kind: p.kind,
        source: p.source,
        openId: p.openId,
        clientKey: p.clientKey,
        status: view.status,
        failReason: view.failReason,
        videoSize: p.videoSize,
        receivedBytes: p.nextOffset,
        chunksReceived: p.chunksReceived,
        totalChunkCount: p.totalChunkCount,
        // copy(): digest() would finalise the running hash.
        sha256: p.hash?.copy().digest("hex"),
      };
    },
  };
  return control;
}

// --- HTTP ---------------------------------------------------------------------------------------

const faultBody = z.strictObject({ endpoint: endpointSchema, fault: faultSchema, times: z.number().int().min(1).max(1_000_000).optional() });
const revokeGrantBody = z.strictObject({ openId: openIdSchema });
const failUploadBody = z.strictObject({ publishId: z.string().min(1), failReason: z.string().min(1).max(100) });
const advanceBody = z.strictObject({ ms: z.number().nonnegative().max(10 * 365 * 86_400_000) });
const tokenStateBody = z.union([
  z.strictObject({ refreshToken: z.string().min(1) }),
  z.strictObject({ accessToken: z.string().min(1) }),
]);
const issueBody = z.strictObject({ openId: openIdSchema, scopes: scopesInputSchema, clientKey: z.string().min(1).optional() });
const addUsersBody = z.strictObject({ openIds: z.array(openIdSchema).min(1).max(10_000) });

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
  "DELETE /__sandbox/faults",
  "GET  /__sandbox/faults",
  "POST /__sandbox/revoke-grant    {openId}",
  "POST /__sandbox/fail-upload     {publishId, failReason}",
  "POST /__sandbox/advance-time    {ms}",
  "GET  /__sandbox/now",
  "GET  /__sandbox/counters",
  "GET  /__sandbox/requests",
  "GET  /__sandbox/token-state?refresh_token=… | ?access_token=…",
  "POST /__sandbox/token-state     {refreshToken} | {accessToken}",
  "POST /__sandbox/issue-tokens    {openId, scopes, clientKey?}",
  "GET  /__sandbox/users",
  "POST /__sandbox/users           {openIds: [...]} (add test accounts to the consent page)",
  "GET  /__sandbox/uploads/<publishId>",
];

export function handleControl(state: SandboxState, control: SandboxControl, method: string, path: string, query: string, body: string): Reply {
  const route = path.slice(CONTROL_PREFIX.length).replace(/\/+$/, "");
  const key = `${method} ${route}`;
  try {
    switch (key) {
      case "GET ":
        return jsonReply(200, { name: "TikTok sandbox", url: state.baseUrl, routes: CONTROL_ROUTES });
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
      case "POST revoke-grant": {
        const r = parseJson(revokeGrantBody, body);
        if (!r.ok) return r.reply;
        return jsonReply(200, { ok: true, revokedGrants: control.revokeGrant(r.value.openId) });
      }
      case "POST fail-upload": {
        const r = parseJson(failUploadBody, body);
        if (!r.ok) return r.reply;
        if (state.publishes.get(r.value.publishId) === undefined) return jsonReply(404, { error: "not_found", message: "unknown publishId" });
        control.failUpload(r.value.publishId, r.value.failReason);
        return jsonReply(200, { ok: true });
      }
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
        const q = new URLSearchParams(query);
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
      case "GET users":
        return jsonReply(200, control.users());
      case "POST users": {
        const r = parseJson(addUsersBody, body);
        if (!r.ok) return r.reply;
        control.addTestUsers(r.value.openIds);
        return jsonReply(200, { ok: true, users: control.users().length });
      }
      default:
        if (method === "GET" && route.startsWith("uploads/")) {
          const info = control.upload(decodeURIComponent(route.slice("uploads/".length)));
          return info === undefined ? jsonReply(404, { error: "not_found", message: "unknown publishId" }) : jsonReply(200, info);
        }
        return jsonReply(404, { error: "not_found", message: `no control route ${method} ${path}`, routes: CONTROL_ROUTES });
    }
  } catch (e) {
    return bad(e instanceof Error ? e.message : "invalid request");
  }
}
