/**
 * The front door of every YouTube Data API call: Bearer token → project quota → scope.
 *
 * - no Authorization header → 401 `required`; an unknown, expired or revoked token → 401
 *   `authError` (neither is charged: without a valid token there is no project to charge);
 * - the project's daily quota: every request with a valid token is charged its method's units,
 *   including requests that then fail on scope or parameters; a spent quota → 403 `quotaExceeded`
 *   (https://developers.google.com/youtube/v3/getting-started#quota);
 * - the method's scopes (each method's "Authorization" section) → 403 `insufficientPermissions`.
 */
import type { IncomingHttpHeaders } from "node:http";
import { insufficientScope, invalidCredentials, missingCredentials, quotaExceeded, rateLimited } from "./api-errors";
import type { Reply } from "./http";
import type { AccessRecord, SandboxState } from "./state";
import { QUOTA_COSTS, type Scope, type YouTubeMethod } from "./types";

export interface ApiRequest {
  state: SandboxState;
  method: string;
  query: string;
  headers: IncomingHttpHeaders;
}

const BEARER_RE = /^Bearer\s+(\S+)\s*$/i;

/** Service method names as Google's ErrorInfo metadata gives them. */
const RPC_METHOD: Record<YouTubeMethod, string> = {
  "channels.list": "youtube.api.v3.V3DataChannelService.List",
  "playlistItems.list": "youtube.api.v3.V3DataPlaylistItemService.List",
  "videos.list": "youtube.api.v3.V3DataVideoService.List",
};

export function authenticateApi(req: ApiRequest, method: YouTubeMethod, anyOf: readonly Scope[]): AccessRecord | Reply {
  const { state } = req;
  const header = req.headers.authorization;
  if (header === undefined || header === "") return missingCredentials();
  const token = BEARER_RE.exec(header)?.[1];
  if (token === undefined || state.accessTokenState(token) !== "valid") return invalidCredentials();
  const rec = state.accessRecord(token);
  if (rec === undefined) return invalidCredentials();
  const client = state.client(rec.family.clientId);
  const projectId = client?.projectId ?? rec.family.clientId;
  const decision = state.quota.charge(projectId, QUOTA_COSTS[method], state.now(), {
    daily: state.options.dailyQuota,
    perMinute: state.options.perMinuteLimit,
  });
  if (decision === "quotaExceeded") return quotaExceeded();
  if (decision === "rateLimitExceeded") return rateLimited(state.options.rateLimitStatus);
  if (!anyOf.some((s) => rec.scopes.has(s))) return insufficientScope(RPC_METHOD[method], anyOf);
  return rec;
}

export function isReply(x: unknown): x is Reply {
  return typeof x === "object" && x !== null && "status" in x && "body" in x && "headers" in x;
}
