/**
 * The browser half of Login Kit (https://developers.tiktok.com/doc/login-kit-web):
 *   GET  /v2/auth/authorize/          → consent screen, or an error page (no redirect) on misconfiguration
 *   POST /v2/auth/authorize/decision  → 302 to redirect_uri with `code`+`scopes`+`state`, or `error=access_denied`
 *
 * The decision re-validates every original parameter server-side: hidden inputs are user-controlled.
 */
import { escapeHtml, htmlReply, redirectReply, type Reply } from "./http";
import { isValidChallenge } from "./pkce";
import type { SandboxState } from "./state";
import { isScope, type SandboxClient, type Scope, type SeedUser } from "./types";

export const AUTHORIZE_PATH = "/v2/auth/authorize/";
export const DECISION_PATH = "/v2/auth/authorize/decision";

/** Plain-words descriptions on the consent screen (wording after TikTok's scope overview). */
export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  "user.info.basic": "Read your profile info (avatar, display name)",
  "user.info.profile": "Read your profile details (bio, profile link, verification, username)",
  "user.info.stats": "Read your profile stats (followers, following, likes, number of videos)",
  "video.list": "Access your public videos",
  "video.upload": "Upload videos to your TikTok inbox as drafts",
  "video.publish": "Post videos directly to your TikTok profile",
};

/** Always granted: Login Kit cannot log anyone in without basic profile info. */
const REQUIRED_SCOPE: Scope = "user.info.basic";

const AUTH_PARAMS = ["client_key", "response_type", "scope", "redirect_uri", "state", "code_challenge", "code_challenge_method"] as const;

interface ValidAuthorize {
  client: SandboxClient;
  /** Requested scopes the app may be granted (approvedScopes applied). */
  scopes: Scope[];
  /** The `scope` parameter as requested, carried through the form unchanged. */
  requestedScope: string;
  redirectUri: string;
  state: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: string | undefined;
}

interface Problem {
  param: string;
  message: string;
}

/** Validates the authorize parameters; every problem is listed, as TikTok's error page does. */
export function validateAuthorize(state: SandboxState, params: URLSearchParams): { ok: true; value: ValidAuthorize } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  for (const name of AUTH_PARAMS) {
    if (params.getAll(name).length > 1) problems.push({ param: name, message: "must not be repeated" });
  }
  if (problems.length > 0) return { ok: false, problems };

  const clientKey = params.get("client_key");
  const client = clientKey ? state.client(clientKey) : undefined;
  if (client === undefined) {
    problems.push({ param: "client_key", message: params.has("client_id") ? "missing (TikTok uses client_key, not client_id)" : "unknown or missing" });
  }
  if (params.get("response_type") !== "code") problems.push({ param: "response_type", message: "must be code" });

  const redirectUri = params.get("redirect_uri") ?? "";
  if (client !== undefined && !client.redirectUris.includes(redirectUri)) {
    // Exact string comparison: no trailing-slash, case or query tolerance (https://developers.tiktok.com/doc/login-kit-web).
    problems.push({ param: "redirect_uri", message: "does not exactly match a redirect URI registered for this app" });
  } else if (client === undefined && redirectUri === "") {
    problems.push({ param: "redirect_uri", message: "missing" });
  }

  const rawScope = params.get("scope") ?? "";
  const scopeParts = rawScope.split(",");
  const unknown = scopeParts.filter((s) => !isScope(s));
  if (rawScope === "") {
    problems.push({ param: "scope", message: "missing" });
  } else if (unknown.length > 0) {
    // TikTok scopes are comma-separated; a space-separated list shows up here as one unknown scope.
    problems.push({ param: "scope", message: `unknown scope ${unknown.map((s) => JSON.stringify(s)).join(", ")} (scopes are comma-separated)` });
  }

  const challenge = params.get("code_challenge") ?? undefined;
  const method = params.get("code_challenge_method") ?? undefined;
  if (challenge === undefined || challenge === "") {
    if (state.options.pkceRequired) problems.push({ param: "code_challenge", message: "missing (PKCE is required)" });
    if (method !== undefined) problems.push({ param: "code_challenge", message: "missing while code_challenge_method is set" });
  } else {
    if (!isValidChallenge(challenge)) problems.push({ param: "code_challenge", message: "malformed" });
    // TikTok supports only S256.
    if (method !== "S256") problems.push({ param: "code_challenge_method", message: "must be S256" });
  }

  if (problems.length > 0 || client === undefined) return { ok: false, problems };
  // Scopes the app is not approved for silently drop out (they are neither shown nor granted).
  const approved = client.approvedScopes;
  const scopes = [...new Set(scopeParts.filter(isScope))].filter((s) => approved === undefined || approved.includes(s) || s === REQUIRED_SCOPE);
  return {
    ok: true,
    value: {
      client,
      scopes,
      requestedScope: rawScope,
      redirectUri,
      state: params.get("state") ?? undefined,
      codeChallenge: challenge || undefined,
      codeChallengeMethod: method,
    },
  };
}

/** GET /v2/auth/authorize/ */
export function handleAuthorizePage(state: SandboxState, query: string): Reply {
  const params = new URLSearchParams(query);
  const v = validateAuthorize(state, params);
  if (!v.ok) return errorPage(v.problems);
  return htmlReply(200, renderConsent(v.value, state.seedUsers()), pageHeaders());
}

/** POST /v2/auth/authorize/decision */
export function handleDecision(state: SandboxState, req: { method: string; mediaType: string; body: string }): Reply {
  if (req.method !== "POST") return errorPage([{ param: "request", message: "the consent form must be submitted with POST" }], 405);
  if (req.mediaType !== "application/x-www-form-urlencoded") return errorPage([{ param: "request", message: "unexpected form encoding" }]);
  const form = new URLSearchParams(req.body);
  const v = validateAuthorize(state, form);
  if (!v.ok) return errorPage(v.problems);
  const { value } = v;
  let target: URL;
  try {
    target = new URL(value.redirectUri);
  } catch {
    return errorPage([{ param: "redirect_uri", message: "the registered redirect URI is not an absolute URL" }]);
  }
  const decision = form.get("decision");

  if (decision === "cancel") {
    target.searchParams.append("error", "access_denied");
    target.searchParams.append("error_description", "The user denied the authorization request.");
    if (value.state !== undefined) target.searchParams.append("state", value.state);
    return redirectReply(target.toString());
  }
  if (decision !== "authorize") return errorPage([{ param: "decision", message: "must be authorize or cancel" }]);

  const openId = form.get("open_id") ?? "";
  const user = state.seedUsers().find((u) => u.openId === openId);
  if (user === undefined) return errorPage([{ param: "open_id", message: "choose one of the test accounts" }]);

  // The user may untick optional scopes (https://developers.tiktok.com/doc/login-kit-web): grant requested ∩ ticked, plus the required one.
  const ticked = new Set(form.getAll("scope_granted"));
  const granted: Scope[] = [REQUIRED_SCOPE];
  for (const s of value.scopes) if (s !== REQUIRED_SCOPE && ticked.has(s)) granted.push(s);

  const code = state.issueCode({
    clientKey: value.client.clientKey,
    openId: user.openId,
    scopes: granted,
    redirectUri: value.redirectUri,
    codeChallenge: value.codeChallenge,
  });
  // URLSearchParams percent-encodes the code's reserved characters (`!` → %21); `*` is left as is,
  // which is also legal in a query. Either way a correct client decodes exactly once (S13).
  target.searchParams.append("code", code);
  target.searchParams.append("scopes", granted.join(","));
  if (value.state !== undefined) target.searchParams.append("state", value.state);
  return redirectReply(target.toString());
}

function pageHeaders(): Record<string, string> {
  return {
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
  };
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;background:#f1f1f2;color:#161823}
main{max-width:460px;margin:40px auto;background:#fff;border-radius:16px;box-shadow:0 8px 30px rgba(0,0,0,.08);padding:28px 28px 20px}
.brand{display:flex;align-items:center;gap:10px;font-weight:800;font-size:20px;letter-spacing:-.3px}
.logo{width:34px;height:34px;border-radius:9px;background:#000;display:grid;place-items:center;color:#fff;font-size:20px;box-shadow:-2px -2px 0 #25f4ee inset,2px 2px 0 #fe2c55 inset}
.badge{margin-left:auto;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.6px;background:#fff4d6;color:#8a5a00;border:1px solid #f1d27a;border-radius:999px;padding:3px 9px}
h1{font-size:21px;line-height:1.3;margin:22px 0 6px}
.sub{color:#57585f;margin:0 0 18px;font-size:14px}
fieldset{border:0;margin:0 0 18px;padding:0}
legend{font-weight:700;font-size:14px;margin-bottom:8px;padding:0}
.accounts label{display:flex;align-items:center;gap:12px;padding:10px 12px;border:1px solid #e3e3e4;border-radius:12px;margin-bottom:8px;cursor:pointer}
.accounts label:has(input:checked){border-color:#fe2c55;background:#fff5f7}
.accounts img{width:40px;height:40px;border-radius:50%}
.accounts .name{font-weight:600}
.accounts .handle{color:#8a8b91;font-size:13px;display:block}
.accounts input{margin-left:auto;accent-color:#fe2c55;width:18px;height:18px;order:3}
.scopes label{display:flex;gap:10px;align-items:flex-start;padding:8px 0;border-bottom:1px solid #f1f1f2}
.scopes input{accent-color:#fe2c55;width:18px;height:18px;margin-top:2px;flex:none}
.scopes code{font-size:12px;color:#8a8b91}
.req{font-size:12px;color:#8a8b91}
.actions{display:flex;flex-direction:row-reverse;gap:12px;margin-top:20px}
button{flex:1;font:inherit;font-weight:700;border-radius:8px;padding:12px;cursor:pointer;border:1px solid transparent}
.primary{background:#fe2c55;color:#fff}
.primary:hover{background:#e6284d}
.secondary{background:#fff;color:#161823;border-color:#d0d1d3}
.secondary:hover{background:#f8f8f8}
footer{color:#8a8b91;font-size:12px;margin-top:16px;word-break:break-all}
.error h1{color:#161823}
.error ul{padding-left:18px}
.error code{background:#f1f1f2;border-radius:4px;padding:1px 5px}
`;

function layout(title: string, inner: string, extraClass = ""): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main class="${extraClass}"><div class="brand"><span class="logo" aria-hidden="true">♪</span>TikTok<span class="badge">Sandbox</span></div>${inner}</main></body></html>`;
}

function renderConsent(v: ValidAuthorize, users: SeedUser[]): string {
  const hidden = (name: string, value: string | undefined) =>
    value === undefined ? "" : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const shown: Scope[] = [REQUIRED_SCOPE, ...v.scopes.filter((s) => s !== REQUIRED_SCOPE)];
  const scopeRows = shown
    .map((s) => {
      const id = `scope-${s.replace(/\./g, "-")}`;
      const required = s === REQUIRED_SCOPE;
      return `<label for="${id}"><input type="checkbox" id="${id}" name="scope_granted" value="${s}" checked${required ? " disabled" : ""}><span>${escapeHtml(SCOPE_DESCRIPTIONS[s])} <code>(${s})</code>${required ? ' <span class="req">required</span>' : ""}</span></label>`;
    })
    .join("");
  const accountRows = users
    .map(
      (u, i) =>
        `<label><img src="${escapeHtml(u.avatarPath)}" alt="" width="40" height="40"><span><span class="name">${escapeHtml(u.displayName)}</span><span class="handle">@${escapeHtml(u.username)}</span></span><input type="radio" name="open_id" value="${escapeHtml(u.openId)}"${i === 0 ? " checked" : ""}></label>`,
    )
    .join("");
  let target = v.redirectUri;
  try {
    target = new URL(v.redirectUri).origin;
  } catch {
    /* keep the raw URI */
  }
  const inner =
    `<h1>${escapeHtml(v.client.appName)} wants to access your TikTok account</h1>` +
    `<p class="sub">This is the local TikTok sandbox: nothing leaves this machine. Untick anything you do not want to share.</p>` +
    `<form method="post" action="${DECISION_PATH}">` +
    hidden("client_key", v.client.clientKey) +
    hidden("response_type", "code") +
    hidden("scope", v.requestedScope) +
    hidden("redirect_uri", v.redirectUri) +
    hidden("state", v.state) +
    hidden("code_challenge", v.codeChallenge) +
    hidden("code_challenge_method", v.codeChallengeMethod) +
    `<fieldset class="accounts"><legend>Choose a test account</legend>${accountRows}</fieldset>` +
    `<fieldset class="scopes"><legend>${escapeHtml(v.client.appName)} would like to:</legend>${scopeRows}</fieldset>` +
    // Authorize first in the DOM so Enter submits it; row-reverse puts Cancel on the left.
    `<div class="actions"><button type="submit" class="primary" name="decision" value="authorize">Authorize</button><button type="submit" class="secondary" name="decision" value="cancel">Cancel</button></div>` +
    `</form>` +
    `<footer>You will be redirected to ${escapeHtml(target)}</footer>`;
  return layout(`Authorize ${v.client.appName} – TikTok`, inner);
}

/** TikTok shows its own page and never redirects when the request itself is misconfigured. */
function errorPage(problems: Problem[], status = 400): Reply {
  const items = problems.map((p) => `<li><code>${escapeHtml(p.param)}</code>: ${escapeHtml(p.message)}</li>`).join("");
  const inner =
    `<h1>Something went wrong</h1>` +
    `<p class="sub">We couldn't log in with TikTok. This may be due to specific app settings. If you're a developer, correct the following and try again:</p>` +
    `<ul id="errors" data-params="${escapeHtml(problems.map((p) => p.param).join(","))}">${items}</ul>`;
  return htmlReply(status, layout("Something went wrong – TikTok", inner, "error"), pageHeaders());
}
