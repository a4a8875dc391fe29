/**
 * Google's routes: counting, fault injection and dispatch to the handlers (their own files). The
 * server itself (control plane, logging, fault timing, close) is the kit's.
 *
 * One origin serves what Google spreads over three hosts (accounts.google.com for the consent
 * pages, oauth2.googleapis.com for /token and /revoke, www.googleapis.com for the YouTube API);
 * the paths are Google's, matched exactly.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { withFaultContentType } from "../kit/faults";
import { BODY_LIMIT, createSandboxServer as createKitServer, type RequestContext, type SandboxServer } from "../kit/server";
import { handleChannels, handlePlaylistItems, handleVideos } from "./youtube";
import type { ApiRequest } from "./api-auth";
import { knownError } from "./api-errors";
import { ACCOUNT_PATH, AUTHORIZE_PATH, CONSENT_PATH, handleAccountChoice, handleAuthorizePage, handleConsent } from "./consent-page";
import { CONTROL_PREFIX, handleControl } from "./control";
import { faultReply } from "./faults";
import { drain, jsonReply, mediaType, readText, sendReply, svgReply, type Reply } from "./http";
import { jwks } from "./id-token";
import { circleSvg, VIDEO_THUMBNAIL_SIZES, videoSvg } from "./images";
import { grantTypeOf, handleRevoke, handleToken } from "./oauth";
import type { SandboxState } from "./state";
import type { EndpointName, SandboxControl } from "./types";

interface Route {
  endpoint: EndpointName;
  /** OAuth endpoints read a form body; API calls are GETs. */
  body: boolean;
  handle: (req: ApiRequest & { mediaType: string; body: string }) => Reply;
}

export const TOKEN_PATH = "/token";
export const REVOKE_PATH = "/revoke";
export const YOUTUBE_PREFIX = "/youtube/v3";

const ROUTES = new Map<string, Route>([
  [TOKEN_PATH, { endpoint: "token", body: true, handle: (r) => handleToken(r.state, { ...r, authorization: r.headers.authorization }) }],
  [REVOKE_PATH, { endpoint: "revoke", body: true, handle: (r) => handleRevoke(r.state, { ...r, authorization: r.headers.authorization }) }],
  [`${YOUTUBE_PREFIX}/channels`, { endpoint: "channels", body: false, handle: handleChannels }],
  [`${YOUTUBE_PREFIX}/playlistItems`, { endpoint: "playlist_items", body: false, handle: handlePlaylistItems }],
  [`${YOUTUBE_PREFIX}/videos`, { endpoint: "videos", body: false, handle: handleVideos }],
]);

export function createSandboxServer(state: SandboxState, control: SandboxControl): SandboxServer {
  async function handle(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void> {
    const { method, path, query } = ctx;
    const route = ROUTES.get(path);
    ctx.log(route?.endpoint ?? logName(path));
    const type = mediaType(req);

    if (route === undefined) {
      const isForm = (path === ACCOUNT_PATH || path === CONSENT_PATH) && method === "POST";
      const body = isForm ? await readText(req, BODY_LIMIT) : (await drain(req), "");
      sendReply(res, otherRoute(state, method, path, query, type, body));
      return;
    }
    state.counters[route.endpoint] += 1;
    const body = route.body ? await readText(req, BODY_LIMIT) : (await drain(req), "");
    if (route.endpoint === "token") {
      const g = grantTypeOf(type, body);
      if (g !== undefined) state.counters.tokenByGrant[g] += 1;
    }

    const fault = state.faults.take(route.endpoint);
    if (await ctx.stall(fault)) return;
    const injected = fault ? faultReply(route.endpoint, fault) : undefined;
    if (injected) {
      sendReply(res, injected);
      return;
    }
    sendReply(res, withFaultContentType(route.handle({ state, method, query, headers: req.headers, mediaType: type, body }), fault));
  }

  return createKitServer({
    state,
    control: (method, path, query, body) => handleControl(state, control, method, path, query, body),
    handle,
    tooLarge: jsonReply(413, { error: "request_too_large" }),
    internalError: () => knownError("backendError"),
  });
}

function logName(path: string): string {
  if (path === AUTHORIZE_PATH) return "authorize";
  if (path === ACCOUNT_PATH) return "authorize_account";
  if (path === CONSENT_PATH) return "authorize_consent";
  if (path.startsWith("/yt3/") || path.startsWith("/vi/") || path.startsWith("/avatars/")) return "image";
  if (path === "/oauth2/v3/certs") return "certs";
  return "not_found";
}

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function otherRoute(state: SandboxState, method: string, path: string, query: string, type: string, body: string): Reply {
  if (path === AUTHORIZE_PATH) {
    if (method !== "GET") return jsonReply(405, { error: "method_not_allowed" });
    return handleAuthorizePage(state, query);
  }
  if (path === ACCOUNT_PATH) return handleAccountChoice(state, { method, mediaType: type, body });
  if (path === CONSENT_PATH) return handleConsent(state, { method, mediaType: type, body });
  if (method === "GET" && path === "/oauth2/v3/certs") return jsonReply(200, jwks(), { "cache-control": "public, max-age=3600" });
  if (method === "GET") {
    const image = imageReply(state, path);
    if (image) return image;
  }
  if (method === "GET" && path === "/") {
    return jsonReply(200, {
      name: "Google sandbox",
      authorize: `${state.baseUrl}${AUTHORIZE_PATH}`,
      token: `${state.baseUrl}${TOKEN_PATH}`,
      revoke: `${state.baseUrl}${REVOKE_PATH}`,
      youtubeApiBase: state.baseUrl,
      control: `${state.baseUrl}${CONTROL_PREFIX}`,
    });
  }
  if (path.startsWith(`${YOUTUBE_PREFIX}/`)) {
    return knownError("notFound", { message: "Not Found" });
  }
  return { status: 404, headers: { "content-type": "text/html; charset=UTF-8" }, body: "<!DOCTYPE html><title>Error 404 (Not Found)!!1</title><p><b>404.</b> That’s an error." };
}

function imageReply(state: SandboxState, path: string): Reply | undefined {
  const notFound = jsonReply(404, { error: "not_found" });
  if (path.startsWith("/yt3/")) {
    const m = /^([A-Za-z0-9_-]+)=s(\d{1,4})/.exec(decode(path.slice("/yt3/".length)) ?? "");
    const account = m?.[1] ? state.findChannel((a) => a.channel?.id === m[1]) : undefined;
    if (account?.channel === undefined) return notFound;
    return svgReply(circleSvg(account.channel.title, account.channel.colour, Math.min(Number(m?.[2] ?? 88), 800)));
  }
  if (path.startsWith("/vi/")) {
    const [videoId, file] = path.slice("/vi/".length).split("/");
    const size = file?.endsWith(".svg") ? VIDEO_THUMBNAIL_SIZES[file.slice(0, -4)] : undefined;
    const hit = videoId === undefined ? undefined : state.videoById(videoId);
    if (hit === undefined || size === undefined) return notFound;
    return svgReply(videoSvg(hit.owner, hit.video, size[0], size[1]));
  }
  if (path.startsWith("/avatars/")) {
    const id = decode(path.slice("/avatars/".length));
    const account = id === undefined ? undefined : state.account(id);
    if (account === undefined) return notFound;
    return svgReply(circleSvg(account.name, account.colour, 96));
  }
  return undefined;
}
