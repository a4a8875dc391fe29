/**
 * The control plane both sandboxes share (/__sandbox/...): the in-process methods every sandbox
 * has, and the HTTP router for them. A sandbox adds its own methods and routes (issue-tokens,
 * users, revoke-grant, …), whose bodies differ per network.
 */
import { z } from "zod";
import { jsonReply, type Reply } from "./http";
import { withClock } from "./options";
import type { SandboxStateBase } from "./state";
import type { CoreControl } from "./types";

export const CONTROL_PREFIX = "/__sandbox/";

export interface ControlSchemas<Input, E extends string, F> {
  /** Every option but `now`. */
  options: z.ZodType<Input>;
  endpoint: z.ZodType<E>;
  fault: z.ZodType<F>;
}

export function createCoreControl<Resolved extends { now: () => number; statsTimeScale: number }, Input extends object, E extends string, F, T extends string>(
  state: SandboxStateBase<Resolved, Input, E, F, T>,
  schemas: ControlSchemas<Input, E, F>,
): CoreControl<Input, Resolved, E, F, T> {
  return {
    reset: () => state.reset(),
    // Validates everything but the clock function with the same schema as the HTTP route.
    setOptions: (partial) => state.setOptions(withClock(schemas.options, partial) as Input),
    options: () => {
      const rest: Partial<Resolved> = { ...state.options };
      delete rest.now; // a function: neither clonable nor meaningful over HTTP
      return structuredClone(rest) as Omit<Resolved, "now">;
    },
    queueFault: (endpoint, fault, times = 1) => state.faults.add(schemas.endpoint.parse(endpoint), schemas.fault.parse(fault), times),
    clearFaults: () => state.faults.clear(),
    advanceTime: (ms) => state.advanceTime(ms),
    now: () => state.now(),
    counters: () => structuredClone(state.counters),
    requestLog: () => state.requestLog(),
    tokenState: (refreshToken) => state.tokenState(refreshToken),
    accessTokenState: (accessToken) => state.accessTokenState(accessToken),
  };
}

// --- HTTP ---------------------------------------------------------------------------------------

export function bad(message: string, issues?: unknown): Reply {
  return jsonReply(400, { error: "bad_request", message, issues });
}

export function parseJson<T>(schema: z.ZodType<T>, body: string): { ok: true; value: T } | { ok: false; reply: Reply } {
  let raw: unknown;
  try {
    raw = body.trim() === "" ? {} : JSON.parse(body);
  } catch {
    return { ok: false, reply: bad("body is not valid JSON") };
  }
  const r = schema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, reply: bad("invalid body", z.treeifyError(r.error)) };
}

/** The routes of createCoreControl's methods, as GET /__sandbox/ lists them. */
export const CORE_CONTROL_ROUTES = [
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
];

const advanceBody = z.strictObject({ ms: z.number().nonnegative().max(10 * 365 * 86_400_000) });
const tokenStateBody = z.union([z.strictObject({ refreshToken: z.string().min(1) }), z.strictObject({ accessToken: z.string().min(1) })]);

export interface ControlRouter<Input, E extends string, F> {
  /** Shown by GET /__sandbox/, e.g. "TikTok sandbox". */
  name: string;
  state: { baseUrl: string; faults: { pending(): unknown } };
  control: CoreControl<Input, unknown, E, F, string>;
  schemas: ControlSchemas<Input, E, F>;
  /** The sandbox's own routes, after CORE_CONTROL_ROUTES in the listing. */
  routes: readonly string[];
  /** The sandbox's own routes: a reply, or undefined for "no such route". May throw (answered 400). */
  extra(method: string, route: string, query: URLSearchParams, body: string): Reply | undefined;
}

/** Answers one /__sandbox/ request. `path` starts with CONTROL_PREFIX. */
export function handleControlRequest<Input, E extends string, F>(router: ControlRouter<Input, E, F>, method: string, path: string, query: string, body: string): Reply {
  const { control, state } = router;
  const routes = [...CORE_CONTROL_ROUTES, ...router.routes];
  const route = path.slice(CONTROL_PREFIX.length).replace(/\/+$/, "");
  const q = new URLSearchParams(query);
  const faultBody = z.strictObject({ endpoint: router.schemas.endpoint, fault: router.schemas.fault, times: z.number().int().min(1).max(1_000_000).optional() });
  try {
    switch (`${method} ${route}`) {
      case "GET ":
        return jsonReply(200, { name: router.name, url: state.baseUrl, routes });
      case "POST reset":
        control.reset();
        return jsonReply(200, { ok: true });
      case "GET options":
        return jsonReply(200, control.options());
      case "POST options": {
        const r = parseJson(router.schemas.options, body);
        if (!r.ok) return r.reply;
        control.setOptions(r.value);
        return jsonReply(200, control.options());
      }
      case "POST faults": {
        const r = parseJson(faultBody, body);
        if (!r.ok) return r.reply;
        control.queueFault(r.value.endpoint, r.value.fault, r.value.times ?? 1);
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
      default:
        return router.extra(method, route, q, body) ?? jsonReply(404, { error: "not_found", message: `no control route ${method} ${path}`, routes });
    }
  } catch (e) {
    return bad(e instanceof Error ? e.message : "invalid request");
  }
}
