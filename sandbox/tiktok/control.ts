/**
 * SandboxControl: the test-side handle on the sandbox, in process and over HTTP (/__sandbox/...).
 * Playwright tests run in another process and use the HTTP form; every route mirrors one method.
 */
import { z } from "zod";
import { createCoreControl, handleControlRequest, parseJson, type ControlSchemas } from "../kit/control";
import { jsonReply, type Reply } from "./http";
import { endpointSchema, faultSchema, openIdSchema, optionsSchema, scopesInputSchema } from "./options";
import { failPublish } from "./posting";
import { publishStatus } from "./publish-status";
import type { SandboxState } from "./state";
import { isScope, type EndpointName, type Fault, type IssuedTokens, type SandboxControl, type SandboxOptionsInput, type Scope, type UploadInfo } from "./types";

export { CONTROL_PREFIX } from "../kit/control";

const schemas: ControlSchemas<SandboxOptionsInput, EndpointName, Fault> = {
  options: optionsSchema,
  endpoint: endpointSchema,
  fault: faultSchema as z.ZodType<Fault>,
};

export function createControl(state: SandboxState): SandboxControl {
  const control: SandboxControl = {
    ...createCoreControl(state, schemas),
    revokeGrant: (openId) => state.revokeAllForOpenId(openId),
    failUpload: (publishId, failReason) => {
      if (!failPublish(state, publishId, failReason)) throw new Error(`unknown publish_id ${publishId}`);
    },
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

// --- HTTP (the routes of the methods above are the kit's; these are TikTok's own) ----------------

const revokeGrantBody = z.strictObject({ openId: openIdSchema });
const failUploadBody = z.strictObject({ publishId: z.string().min(1), failReason: z.string().min(1).max(100) });
const issueBody = z.strictObject({ openId: openIdSchema, scopes: scopesInputSchema, clientKey: z.string().min(1).optional() });
const addUsersBody = z.strictObject({ openIds: z.array(openIdSchema).min(1).max(10_000) });

const ROUTES = [
  "POST /__sandbox/revoke-grant    {openId}",
  "POST /__sandbox/fail-upload     {publishId, failReason}",
  "POST /__sandbox/issue-tokens    {openId, scopes, clientKey?}",
  "GET  /__sandbox/users",
  "POST /__sandbox/users           {openIds: [...]} (add test accounts to the consent page)",
  "GET  /__sandbox/uploads/<publishId>",
];

function handleOwnRoute(state: SandboxState, control: SandboxControl, method: string, route: string, body: string): Reply | undefined {
  switch (`${method} ${route}`) {
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
      return undefined;
  }
}

export function handleControl(state: SandboxState, control: SandboxControl, method: string, path: string, query: string, body: string): Reply {
  const router = { name: "TikTok sandbox", state, control, schemas, routes: ROUTES, extra: (m: string, route: string, _q: URLSearchParams, b: string) => handleOwnRoute(state, control, m, route, b) };
  return handleControlRequest(router, method, path, query, body);
}
