/**
 * TikTok's routes: counting, fault injection and dispatch to the handlers (their own files). The
 * server itself (control plane, logging, fault timing, close) is the kit's.
 *
 * Paths are the real TikTok paths, matched EXACTLY (trailing slash included): an app that calls a
 * wrong path should fail here, not in production.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { withFaultContentType } from "../kit/faults";
import { BODY_LIMIT, createSandboxServer as createKitServer, type RequestContext, type SandboxServer } from "../kit/server";
import { apiErrorReply, jsonReply, mediaType, newLogId, readText, sendReply, drain, svgReply, type Reply } from "./http";
import { avatarSvg } from "./avatars";
import { coverSvg } from "./covers";
import { AUTHORIZE_PATH, DECISION_PATH, handleAuthorizePage, handleDecision } from "./consent-page";
import { CONTROL_PREFIX, handleControl } from "./control";
import { handleUserInfo, handleVideoList } from "./data-plane";
import { faultReply, withUploadUrl } from "./faults";
import { grantTypeOf, handleRevoke, handleToken } from "./oauth";
import { handleCancel, handleCreatorInfo, handleDirectInit, handleInboxInit, handleStatusFetch } from "./posting";
import type { ApiRequest } from "./api-auth";
import { seededUser, SEED_USERS } from "./seed";
import type { SandboxState } from "./state";
import type { EndpointName, SandboxControl } from "./types";
import { handleUpload, UPLOAD_PREFIX } from "./upload";

interface Route {
  endpoint: EndpointName;
  body: "form" | "json" | "none";
  handle: (req: ApiRequest) => Reply;
}

const ROUTES = new Map<string, Route>([
  ["/v2/oauth/token/", { endpoint: "token", body: "form", handle: (r) => handleToken(r.state, r) }],
  ["/v2/oauth/revoke/", { endpoint: "revoke", body: "form", handle: (r) => handleRevoke(r.state, r) }],
  ["/v2/user/info/", { endpoint: "user_info", body: "none", handle: handleUserInfo }],
  ["/v2/video/list/", { endpoint: "video_list", body: "json", handle: handleVideoList }],
  ["/v2/post/publish/creator_info/query/", { endpoint: "creator_info", body: "json", handle: handleCreatorInfo }],
  ["/v2/post/publish/video/init/", { endpoint: "video_init", body: "json", handle: handleDirectInit }],
  ["/v2/post/publish/inbox/video/init/", { endpoint: "inbox_init", body: "json", handle: handleInboxInit }],
  ["/v2/post/publish/status/fetch/", { endpoint: "status", body: "json", handle: handleStatusFetch }],
  ["/v2/post/publish/cancel/", { endpoint: "cancel", body: "json", handle: handleCancel }],
]);

export type { SandboxServer } from "../kit/server";

export function createSandboxServer(state: SandboxState, control: SandboxControl): SandboxServer {
  async function handle(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void> {
    const { method, path, query } = ctx;
    const route = ROUTES.get(path);
    const endpoint: EndpointName | undefined = route?.endpoint ?? (path.startsWith(UPLOAD_PREFIX) ? "upload" : undefined);
    ctx.log(endpoint ?? logName(path));

    if (endpoint === undefined) {
      // Only the consent form carries a body worth reading; anything else is discarded.
      const body = path === DECISION_PATH && method === "POST" ? await readText(req, BODY_LIMIT) : (await drain(req), "");
      sendReply(res, otherRoute(state, method, path, query, mediaType(req), body));
      return;
    }
    state.counters[endpoint] += 1;

    if (endpoint === "upload") {
      await serveUpload(req, res, ctx);
      return;
    }
    if (route === undefined) return; // unreachable: only uploads have no route

    let body = "";
    const type = mediaType(req);
    if (route.body === "none") await drain(req);
    else body = await readText(req, BODY_LIMIT);
    if (endpoint === "token") {
      const g = grantTypeOf(type, body);
      if (g !== undefined) state.counters.tokenByGrant[g] += 1;
    }

    const fault = state.faults.take(endpoint);
    if (await ctx.stall(fault)) return;
    const injected = fault ? faultReply(endpoint, fault, state.options.oauthErrorStatus, newLogId(state.now())) : undefined;
    if (injected) {
      sendReply(res, injected);
      return;
    }
    let reply = withFaultContentType(route.handle({ state, method, query, headers: req.headers, mediaType: type, body }), fault);
    if (fault?.kind === "upload_url") reply = withUploadUrl(reply, fault.url);
    sendReply(res, reply);
  }

  async function serveUpload(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void> {
    const fault = state.faults.take("upload");
    if (await ctx.stall(fault)) return;
    const injected = fault ? faultReply("upload", fault, state.options.oauthErrorStatus, newLogId(state.now())) : undefined;
    if (injected) {
      await drain(req);
      sendReply(res, injected);
      return;
    }
    const reply = await handleUpload(state, req, ctx.path, ctx.query);
    if (reply === undefined) return;
    sendReply(res, withFaultContentType(reply, fault));
  }

  return createKitServer({
    state,
    control: (method, path, query, body) => handleControl(state, control, method, path, query, body),
    handle,
    tooLarge: jsonReply(413, { error: "request_too_large", message: "Request body too large." }),
    internalError: () => apiErrorReply("internal_error", "Sandbox internal error.", newLogId(state.now()), 500),
  });
}

function logName(path: string): string {
  if (path === AUTHORIZE_PATH) return "authorize";
  if (path === DECISION_PATH) return "authorize_decision";
  if (path.startsWith("/avatars/")) return "avatar";
  if (path.startsWith("/covers/")) return "cover";
  return "not_found";
}

function otherRoute(state: SandboxState, method: string, path: string, query: string, type: string, body: string): Reply {
  if (path === AUTHORIZE_PATH) {
    if (method !== "GET") return jsonReply(405, { error: "method_not_allowed" });
    return handleAuthorizePage(state, query);
  }
  if (path === DECISION_PATH) {
    return handleDecision(state, { method, mediaType: type, body });
  }
  if (path.startsWith("/avatars/") && path.endsWith(".svg") && method === "GET") {
    let id: string;
    try {
      id = decodeURIComponent(path.slice("/avatars/".length, -".svg".length));
    } catch {
      return jsonReply(404, { error: "not_found" });
    }
    const index = /^\d+$/.test(id) ? Number(id) - 1 : -1;
    const user = seededUser(id) ?? SEED_USERS[index] ?? state.user(id);
    if (user === undefined) return jsonReply(404, { error: "not_found" });
    return svgReply(avatarSvg(user));
  }
  if (path.startsWith("/covers/") && path.endsWith(".svg") && method === "GET") return coverReply(state, path);
  if (path === "/" && method === "GET") {
    return jsonReply(200, { name: "TikTok sandbox", authorize: `${state.baseUrl}${AUTHORIZE_PATH}`, apiBase: state.baseUrl, control: `${state.baseUrl}${CONTROL_PREFIX}` });
  }
  return apiErrorReply("not_found", `No such endpoint: ${method} ${path}`, newLogId(state.now()), 404);
}

/** GET /covers/<openId>/<videoId>.svg: the cover of one of that user's listed videos, else 404. */
function coverReply(state: SandboxState, path: string): Reply {
  const parts = path.slice("/covers/".length, -".svg".length).split("/");
  if (parts.length !== 2) return jsonReply(404, { error: "not_found" });
  let openId: string;
  let videoId: string;
  try {
    openId = decodeURIComponent(parts[0] ?? "");
    videoId = decodeURIComponent(parts[1] ?? "");
  } catch {
    return jsonReply(404, { error: "not_found" });
  }
  const user = state.user(openId);
  const video = user === undefined ? undefined : state.videos(user).find((v) => v.id === videoId);
  if (user === undefined || video === undefined) return jsonReply(404, { error: "not_found" });
  return svgReply(coverSvg(user, video));
}
