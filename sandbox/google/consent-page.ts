/**
 * The browser half of Google's OAuth 2.0 for web server apps
 * (https://developers.google.com/identity/protocols/oauth2/web-server#creatingclient):
 *
 *   GET  /o/oauth2/v2/auth          → account chooser, or Google's own error page (never a redirect)
 *   POST /o/oauth2/v2/auth/account  → (sandbox-only) the chosen account: consent screen, or a code
 *                                     at once when that account already consented (no prompt=consent)
 *   POST /o/oauth2/v2/auth/consent  → (sandbox-only) Continue / Cancel: 302 to redirect_uri
 *
 * Each POST re-validates every original parameter: hidden inputs are user-controlled.
 */
import { escapeHtml, htmlReply, redirectReply, type Reply } from "./http";
import { isValidPkceValue } from "./pkce";
import { callbackScope, parseScopeParam, SCOPE_DESCRIPTIONS } from "./scopes";
import type { SandboxState } from "./state";
import { isSignInScope, type SandboxClient, type Scope, type SeedAccount } from "./types";
import { ISSUER } from "./id-token";

export const AUTHORIZE_PATH = "/o/oauth2/v2/auth";
export const ACCOUNT_PATH = "/o/oauth2/v2/auth/account";
export const CONSENT_PATH = "/o/oauth2/v2/auth/consent";

/** The parameters carried through the chooser and consent forms. */
const AUTH_PARAMS = [
  "client_id",
  "redirect_uri",
  "response_type",
  "scope",
  "state",
  "access_type",
  "prompt",
  "include_granted_scopes",
  "login_hint",
  "code_challenge",
  "code_challenge_method",
  "nonce",
] as const;

const PROMPTS = new Set(["none", "consent", "select_account"]);

export interface ValidAuthorize {
  client: SandboxClient;
  redirectUri: string;
  scopes: Scope[];
  shortNames: string[];
  state: string | undefined;
  offline: boolean;
  prompt: ReadonlySet<string>;
  includeGranted: boolean;
  loginHint: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: "S256" | "plain" | undefined;
  nonce: string | undefined;
  /** The original parameters, for the hidden inputs. */
  params: [string, string][];
}

/** An error Google shows on its own page: "Error 400: redirect_uri_mismatch". */
export interface PageError {
  status: 400 | 401 | 403;
  error: string;
  message: string;
}

const pageError = (status: 400 | 401 | 403, error: string, message: string): { ok: false; problem: PageError } => ({ ok: false, problem: { status, error, message } });

/**
 * Validates in Google's order: the client and redirect_uri first (nothing may be redirected to an
 * unverified URI), then the rest. Every problem is an error page, never a redirect.
 */
export function validateAuthorize(state: SandboxState, params: URLSearchParams): { ok: true; value: ValidAuthorize } | { ok: false; problem: PageError } {
  for (const name of AUTH_PARAMS) {
    if (params.getAll(name).length > 1) return pageError(400, "invalid_request", `Parameter not allowed more than once: ${name}`);
  }
  const clientId = params.get("client_id");
  if (!clientId) return pageError(400, "invalid_request", "Missing required parameter: client_id");
  const client = state.client(clientId);
  if (client === undefined) return pageError(401, "invalid_client", "The OAuth client was not found.");
  const redirectUri = params.get("redirect_uri");
  if (!redirectUri) return pageError(400, "invalid_request", "Missing required parameter: redirect_uri");
  // Exact string comparison: scheme, host, port, path and trailing slash must all match.
  if (!client.redirectUris.includes(redirectUri)) {
    return pageError(400, "redirect_uri_mismatch", `You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. Request details: redirect_uri=${redirectUri}`);
  }
  const responseType = params.get("response_type");
  if (!responseType) return pageError(400, "invalid_request", "Required parameter is missing: response_type");
  if (responseType !== "code") return pageError(400, "invalid_request", `Unsupported response_type: ${responseType} (the sandbox emulates the web server flow: code)`);
  const rawScope = params.get("scope") ?? "";
  const parsed = parseScopeParam(rawScope);
  if (parsed.scopes.length === 0 && parsed.unknown.length === 0) return pageError(400, "invalid_request", "Missing required parameter: scope");
  if (parsed.unknown.length > 0) return pageError(400, "invalid_scope", `Some requested scopes were invalid. {invalid=[${parsed.unknown.join(", ")}]}`);
  const accessType = params.get("access_type") ?? "online";
  if (accessType !== "online" && accessType !== "offline") return pageError(400, "invalid_request", `Invalid access_type: ${accessType}`);
  // prompt is space-delimited and case-sensitive; "none" cannot be combined with anything.
  const prompt = new Set((params.get("prompt") ?? "").split(" ").filter(Boolean));
  for (const p of prompt) if (!PROMPTS.has(p)) return pageError(400, "invalid_request", `Invalid prompt: ${params.get("prompt") ?? ""}`);
  if (prompt.has("none") && prompt.size > 1) return pageError(400, "invalid_request", `Invalid prompt: ${params.get("prompt") ?? ""}`);

  const challenge = params.get("code_challenge") || undefined;
  const methodRaw = params.get("code_challenge_method") || undefined;
  let method: "S256" | "plain" | undefined;
  if (challenge === undefined) {
    if (methodRaw !== undefined) return pageError(400, "invalid_request", "Missing code_challenge.");
  } else {
    // RFC 7636 §4.3: without a method the challenge is "plain".
    const m = methodRaw ?? "plain";
    if (m !== "S256" && m !== "plain") return pageError(400, "invalid_request", `Invalid code_challenge_method: ${m}`);
    if (!isValidPkceValue(challenge)) return pageError(400, "invalid_request", "Invalid code_challenge.");
    method = m;
  }

  const carried: [string, string][] = [];
  for (const name of AUTH_PARAMS) {
    const v = params.get(name);
    if (v !== null) carried.push([name, v]);
  }
  return {
    ok: true,
    value: {
      client,
      redirectUri,
      scopes: parsed.scopes,
      shortNames: parsed.shortNames,
      state: params.get("state") ?? undefined,
      offline: accessType === "offline",
      prompt,
      includeGranted: params.get("include_granted_scopes") === "true",
      loginHint: params.get("login_hint") || undefined,
      codeChallenge: challenge,
      codeChallengeMethod: method,
      nonce: params.get("nonce") || undefined,
      params: carried,
    },
  };
}

// --- handlers -----------------------------------------------------------------------------------

/** GET /o/oauth2/v2/auth */
export function handleAuthorizePage(state: SandboxState, query: string): Reply {
  const v = validateAuthorize(state, new URLSearchParams(query));
  if (!v.ok) return errorPage(v.problem);
  const value = v.value;
  if (value.prompt.has("none")) return silentAuthorize(state, value);
  const accounts = state.chooserAccounts();
  const hinted = value.loginHint === undefined ? undefined : findAccount(accounts, value.loginHint);
  return htmlReply(200, renderChooser(value, accounts, hinted?.id ?? accounts[0]?.id), pageHeaders(value.redirectUri));
}

interface FormRequest {
  method: string;
  mediaType: string;
  body: string;
}

function readForm(state: SandboxState, req: FormRequest): { ok: true; form: URLSearchParams; value: ValidAuthorize } | { ok: false; reply: Reply } {
  if (req.method !== "POST") return { ok: false, reply: errorPage({ status: 400, error: "invalid_request", message: "The form must be submitted with POST." }) };
  if (req.mediaType !== "application/x-www-form-urlencoded") return { ok: false, reply: errorPage({ status: 400, error: "invalid_request", message: "Unexpected form encoding." }) };
  const form = new URLSearchParams(req.body);
  const v = validateAuthorize(state, form);
  return v.ok ? { ok: true, form, value: v.value } : { ok: false, reply: errorPage(v.problem) };
}

/** POST /o/oauth2/v2/auth/account: the account chooser's answer. */
export function handleAccountChoice(state: SandboxState, req: FormRequest): Reply {
  const r = readForm(state, req);
  if (!r.ok) return r.reply;
  const { form, value } = r;
  if (form.get("decision") === "cancel") return deny(value);
  const account = chosenAccount(state, form);
  if (account === undefined) return errorPage({ status: 400, error: "invalid_request", message: "Choose one of the listed accounts." });
  const blocked = testingBlock(state, value.client, account);
  if (blocked) return blocked;
  const remembered = state.rememberedScopes(value.client.clientId, account.id);
  // A returning user who already granted everything asked skips the consent screen; the code
  // then carries no refresh token, whatever access_type says.
  if (!value.prompt.has("consent") && value.scopes.every((s) => remembered.has(s))) {
    return issue(state, value, account, [...value.scopes], false, "none");
  }
  return htmlReply(200, renderConsent(value, account, remembered), pageHeaders(value.redirectUri));
}

/** POST /o/oauth2/v2/auth/consent: Continue or Cancel on the consent screen. */
export function handleConsent(state: SandboxState, req: FormRequest): Reply {
  const r = readForm(state, req);
  if (!r.ok) return r.reply;
  const { form, value } = r;
  if (form.get("decision") === "cancel") return deny(value);
  if (form.get("decision") !== "allow") return errorPage({ status: 400, error: "invalid_request", message: "decision must be allow or cancel." });
  const account = chosenAccount(state, form);
  if (account === undefined) return errorPage({ status: 400, error: "invalid_request", message: "Choose one of the listed accounts." });
  const blocked = testingBlock(state, value.client, account);
  if (blocked) return blocked;
  const remembered = state.rememberedScopes(value.client.clientId, account.id);
  const { signIn, asked, checkboxes } = consentPlan(value, remembered);
  const ticked = new Set(form.getAll("scope_granted"));
  const all = form.get("select_all") === "on";
  const granted: Scope[] = [...signIn];
  for (const s of asked) if (!checkboxes || all || ticked.has(s)) granted.push(s);
  // Requested scopes granted earlier and not asked again stay granted.
  for (const s of value.scopes) if (!isSignInScope(s) && !asked.includes(s) && remembered.has(s)) granted.push(s);
  // Nothing left to grant: the sandbox treats it as a refusal (Google does not document this case).
  if (granted.length === 0) return deny(value);
  state.rememberConsent(value.client.clientId, account.id, granted);
  return issue(state, value, account, granted, value.offline, "consent");
}

/**
 * prompt=none: no screen may be shown. The sandbox has no browser session, so `login_hint` plays
 * the signed-in account: without one → login_required; not yet consented → consent_required
 * (OpenID Connect Core §3.1.2.6 errors, redirected).
 */
function silentAuthorize(state: SandboxState, value: ValidAuthorize): Reply {
  const account = value.loginHint === undefined ? undefined : findAccount(state.chooserAccounts(), value.loginHint);
  if (account === undefined) return redirectError(value, "login_required");
  if (!isTestUser(state, value.client, account)) return redirectError(value, "access_denied");
  const remembered = state.rememberedScopes(value.client.clientId, account.id);
  if (!value.scopes.every((s) => remembered.has(s))) return redirectError(value, "consent_required");
  return issue(state, value, account, [...value.scopes], false, "none");
}

// --- helpers ------------------------------------------------------------------------------------

function findAccount(accounts: SeedAccount[], hint: string): SeedAccount | undefined {
  const h = hint.toLowerCase();
  return accounts.find((a) => a.email.toLowerCase() === h || a.sub === hint || a.id === hint);
}

function chosenAccount(state: SandboxState, form: URLSearchParams): SeedAccount | undefined {
  const id = form.get("account") ?? "";
  return state.chooserAccounts().find((a) => a.id === id);
}

/**
 * `authuser`: the index of the signed-in Google account the choice belongs to. A Brand Account
 * is reached through its manager, so it shares the manager's index.
 */
export function authuserOf(accounts: SeedAccount[], account: SeedAccount): number {
  const people = accounts.filter((a) => a.managedBy === undefined);
  const personId = account.managedBy ?? account.id;
  return Math.max(0, people.findIndex((a) => a.id === personId));
}

/**
 * Apps in Testing with a test-user list: everyone else sees "Error 403: access_denied". A Brand
 * Account is signed in through the person who manages it, so that person's address counts.
 */
function isTestUser(state: SandboxState, client: SandboxClient, account: SeedAccount): boolean {
  if (client.publishingStatus !== "testing" || client.testUsers === undefined) return true;
  const person = account.managedBy === undefined ? account : state.account(account.managedBy);
  return client.testUsers.includes(account.email) || (person !== undefined && client.testUsers.includes(person.email));
}

function testingBlock(state: SandboxState, client: SandboxClient, account: SeedAccount): Reply | undefined {
  if (isTestUser(state, client, account)) return undefined;
  return errorPage({
    status: 403,
    error: "access_denied",
    message: `${client.appName} has not completed the Google verification process. The app is currently being tested, and can only be accessed by developer-approved testers.`,
  });
}

/**
 * What the consent screen asks. Sign-in scopes are one block without checkboxes. Non-sign-in
 * scopes already granted are not asked again (unless prompt=consent); when more than one is
 * asked, each gets its own unticked checkbox (granular consent:
 * https://developers.google.com/identity/protocols/oauth2/resources/granular-permissions).
 */
export function consentPlan(value: ValidAuthorize, remembered: ReadonlySet<Scope>): { signIn: Scope[]; asked: Scope[]; checkboxes: boolean } {
  const signIn = value.scopes.filter((s) => isSignInScope(s));
  const asked = value.scopes.filter((s) => !isSignInScope(s) && (value.prompt.has("consent") || !remembered.has(s)));
  return { signIn, asked, checkboxes: asked.length > 1 };
}

/**
 * The success redirect: `state`, `code`, `scope` (granted), `authuser`, `hd` (Workspace accounts),
 * `prompt` ("consent" when the screen was shown, "none" when skipped), and `iss` when enabled.
 */
function issue(state: SandboxState, value: ValidAuthorize, account: SeedAccount, granted: Scope[], withRefreshToken: boolean, promptEcho: "consent" | "none"): Reply {
  const all = new Set<Scope>(granted);
  // include_granted_scopes=true: the new token also covers what this client was granted before.
  if (value.includeGranted) for (const s of state.rememberedScopes(value.client.clientId, account.id)) all.add(s);
  const code = state.issueCode({
    clientId: value.client.clientId,
    accountId: account.id,
    scopes: [...all],
    redirectUri: value.redirectUri,
    codeChallenge: value.codeChallenge,
    codeChallengeMethod: value.codeChallengeMethod,
    withRefreshToken,
    nonce: value.nonce,
  });
  const target = new URL(value.redirectUri);
  if (value.state !== undefined) target.searchParams.append("state", value.state);
  target.searchParams.append("code", code);
  target.searchParams.append("scope", callbackScope(all, value.shortNames));
  target.searchParams.append("authuser", String(authuserOf(state.chooserAccounts(), account)));
  if (account.hd !== undefined) target.searchParams.append("hd", account.hd);
  target.searchParams.append("prompt", promptEcho);
  if (state.options.issParameter) target.searchParams.append("iss", ISSUER);
  return redirectReply(target.toString());
}

/** Cancel: `?error=access_denied&state=…` (no error_description). */
function deny(value: ValidAuthorize): Reply {
  return redirectError(value, "access_denied");
}

function redirectError(value: ValidAuthorize, error: string): Reply {
  const target = new URL(value.redirectUri);
  target.searchParams.append("error", error);
  if (value.state !== undefined) target.searchParams.append("state", value.state);
  return redirectReply(target.toString());
}

// --- HTML ---------------------------------------------------------------------------------------

/**
 * `form-action` also governs where a submitted form may be redirected (CSP Level 3,
 * https://www.w3.org/TR/CSP3/#directive-form-action; Chromium enforces it on the redirect), so
 * the pages that end in the 302 to the app allow the registered redirect URI's origin too.
 */
function pageHeaders(redirectUri?: string): Record<string, string> {
  const redirectOrigin = redirectUri === undefined ? "" : ` ${new URL(redirectUri).origin}`;
  return {
    "content-security-policy": `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'${redirectOrigin}`,
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
  };
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 Roboto,system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;background:#f0f4f9;color:#1f1f1f}
main{max-width:480px;margin:40px auto;background:#fff;border-radius:28px;padding:32px 36px 24px}
.brand{display:flex;align-items:center;gap:10px;font-size:16px}
.logo{font-weight:700;font-size:20px;letter-spacing:-.5px}
.logo b:nth-child(1){color:#4285f4}.logo b:nth-child(2){color:#ea4335}.logo b:nth-child(3){color:#fbbc05}.logo b:nth-child(4){color:#4285f4}.logo b:nth-child(5){color:#34a853}.logo b:nth-child(6){color:#ea4335}
.badge{margin-left:auto;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.6px;background:#fef7e0;color:#8a5a00;border:1px solid #f1d27a;border-radius:999px;padding:3px 9px}
h1{font-size:24px;font-weight:400;line-height:1.3;margin:20px 0 8px}
.sub{color:#444746;margin:0 0 18px}
fieldset{border:0;margin:0 0 18px;padding:0}
legend{font-weight:500;margin-bottom:8px;padding:0}
.accounts label{display:flex;align-items:center;gap:12px;padding:10px 4px;border-bottom:1px solid #e3e3e3;cursor:pointer}
.accounts label:has(input:checked){background:#e8f0fe}
.accounts img{width:36px;height:36px;border-radius:50%}
.accounts .name{font-weight:500;display:block}
.accounts .email,.accounts .channel{color:#444746;font-size:12px;display:block}
.accounts .tag{font-size:11px;background:#e8f0fe;color:#0b57d0;border-radius:4px;padding:0 5px;margin-left:6px}
.accounts input{margin-left:auto;width:18px;height:18px}
.scopes li,.scopes label{display:flex;gap:10px;align-items:flex-start;padding:8px 0;border-bottom:1px solid #f1f1f1;list-style:none}
.scopes ul{padding:0;margin:0}
.scopes input{width:18px;height:18px;margin-top:2px;flex:none}
.scopes code{font-size:11px;color:#5f6368;word-break:break-all}
.actions{display:flex;justify-content:flex-end;flex-direction:row-reverse;gap:12px;margin-top:20px}
button{font:inherit;font-weight:500;border-radius:20px;padding:9px 24px;cursor:pointer;border:1px solid transparent}
.primary{background:#0b57d0;color:#fff}
.secondary{background:#fff;color:#0b57d0;border-color:#747775}
footer{color:#5f6368;font-size:12px;margin-top:16px;word-break:break-all}
.error h2{font-size:16px;font-weight:500}
.error code{background:#f1f1f1;border-radius:4px;padding:1px 5px}
`;

function layout(title: string, inner: string, extraClass = ""): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main class="${extraClass}"><div class="brand"><span class="logo" aria-hidden="true"><b>G</b><b>o</b><b>o</b><b>g</b><b>l</b><b>e</b></span>Sign in with Google<span class="badge">Sandbox</span></div>${inner}</main></body></html>`;
}

function hiddenInputs(value: ValidAuthorize, extra: [string, string][] = []): string {
  return [...value.params, ...extra].map(([n, v]) => `<input type="hidden" name="${escapeHtml(n)}" value="${escapeHtml(v)}">`).join("");
}

function redirectOrigin(uri: string): string {
  try {
    return new URL(uri).origin;
  } catch {
    return uri;
  }
}

function avatar(account: SeedAccount): string {
  const path = account.channel ? `/yt3/${account.channel.id}=s88` : `/avatars/${account.id}`;
  return `<img src="${escapeHtml(path)}" alt="" width="36" height="36">`;
}

function renderChooser(value: ValidAuthorize, accounts: SeedAccount[], selected: string | undefined): string {
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const rows = accounts
    .map((a) => {
      const manager = a.managedBy === undefined ? undefined : byId.get(a.managedBy);
      const tag = a.managedBy !== undefined ? '<span class="tag">Brand Account</span>' : "";
      const channel = a.channel ? `YouTube channel: ${escapeHtml(a.channel.title)}` : "No YouTube channel";
      const email = manager ? `Managed by ${escapeHtml(manager.email)}` : escapeHtml(a.email);
      return `<label>${avatar(a)}<span><span class="name">${escapeHtml(a.name)}${tag}</span><span class="email">${email}</span><span class="channel">${channel}</span></span><input type="radio" name="account" value="${escapeHtml(a.id)}"${a.id === selected ? " checked" : ""}></label>`;
    })
    .join("");
  const inner =
    `<h1>Choose an account or a brand account</h1>` +
    `<p class="sub">to continue to <b>${escapeHtml(value.client.appName)}</b>. This is the local Google sandbox: nothing leaves this machine.</p>` +
    `<form method="post" action="${ACCOUNT_PATH}">${hiddenInputs(value)}` +
    `<fieldset class="accounts"><legend>Choose an account</legend>${rows}</fieldset>` +
    `<div class="actions"><button type="submit" class="primary" name="decision" value="continue">Continue</button><button type="submit" class="secondary" name="decision" value="cancel">Cancel</button></div>` +
    `</form><footer>You will be redirected to ${escapeHtml(redirectOrigin(value.redirectUri))}</footer>`;
  return layout(`Sign in – Google accounts`, inner);
}

function renderConsent(value: ValidAuthorize, account: SeedAccount, remembered: ReadonlySet<Scope>): string {
  const { signIn, asked, checkboxes } = consentPlan(value, remembered);
  const line = (s: Scope) => `${escapeHtml(SCOPE_DESCRIPTIONS[s])} <code>${escapeHtml(s)}</code>`;
  const signInRows = signIn.map((s) => `<li>${line(s)}</li>`).join("");
  const askedRows = checkboxes
    ? `<label for="select-all"><input type="checkbox" id="select-all" name="select_all" value="on"><span><b>Select all</b></span></label>` +
      asked.map((s, i) => `<label for="scope-${i}"><input type="checkbox" id="scope-${i}" name="scope_granted" value="${escapeHtml(s)}"><span>${line(s)}</span></label>`).join("")
    : asked.map((s) => `<li>${line(s)}</li>`).join("");
  const already = value.scopes.filter((s) => !isSignInScope(s) && !asked.includes(s));
  const alreadyRows = already.map((s) => `<li>${line(s)}</li>`).join("");
  const inner =
    `<h1>${escapeHtml(value.client.appName)} wants access to your Google Account</h1>` +
    `<p class="sub">${escapeHtml(account.email)}</p>` +
    `<form method="post" action="${CONSENT_PATH}">${hiddenInputs(value, [["account", account.id]])}` +
    (signInRows ? `<fieldset class="scopes signin"><legend>${escapeHtml(value.client.appName)} will be able to:</legend><ul>${signInRows}</ul></fieldset>` : "") +
    (asked.length > 0
      ? `<fieldset class="scopes asked" data-checkboxes="${checkboxes ? "yes" : "no"}"><legend>${checkboxes ? `Select what ${escapeHtml(value.client.appName)} can access` : `${escapeHtml(value.client.appName)} wants to:`}</legend>${checkboxes ? askedRows : `<ul>${askedRows}</ul>`}</fieldset>`
      : "") +
    (alreadyRows ? `<fieldset class="scopes already"><legend>${escapeHtml(value.client.appName)} already has access to:</legend><ul>${alreadyRows}</ul></fieldset>` : "") +
    `<div class="actions"><button type="submit" class="primary" name="decision" value="allow">Continue</button><button type="submit" class="secondary" name="decision" value="cancel">Cancel</button></div>` +
    `</form><footer>You will be redirected to ${escapeHtml(redirectOrigin(value.redirectUri))}</footer>`;
  return layout(`Sign in – Google accounts`, inner);
}

/** Google's own page for a request it will not redirect: "Access blocked" + "Error 400: …". */
export function errorPage(problem: PageError): Reply {
  const inner =
    `<h1>Access blocked: ${problem.error === "access_denied" ? "this app has not completed the Google verification process" : "this app's request is invalid"}</h1>` +
    `<h2 id="error" data-error="${escapeHtml(problem.error)}">Error ${problem.status}: ${escapeHtml(problem.error)}</h2>` +
    `<p class="sub">${escapeHtml(problem.message)}</p>` +
    `<p class="sub">If you are a developer of this app, see the error details.</p>`;
  return htmlReply(problem.status, layout("Error – Google accounts", inner, "error"), pageHeaders());
}
