/**
 * The browser half: account chooser, consent screen (granular consent), Google's own error
 * pages, the callback redirect, remembered consent, include_granted_scopes, prompt=none.
 */
import { describe, expect, it } from "vitest";
import { sandboxForFile } from "../../kit/test-helpers";
import {
  ADA,
  ADA_BRAND,
  BEN,
  CLIENT_ID,
  NORA,
  READONLY,
  REDIRECT_URI,
  UPLOAD,
  USERINFO_EMAIL,
  authorizeParams,
  consent,
  exchange,
  getCode,
  hiddenInputs,
  start,
} from "./helpers";

const sb = sandboxForFile(() => start());

const authorizeUrl = (params: URLSearchParams) => `${sb.url}/o/oauth2/v2/auth?${params}`;

describe("account chooser", () => {
  it("lists a personal channel, a Brand Account channel, a Workspace account and an identity with no channel; no external resources", async () => {
    const res = await fetch(authorizeUrl(authorizeParams()));
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(html).toContain("Choose an account or a brand account");
    for (const id of [ADA, ADA_BRAND, BEN, NORA]) expect(html).toContain(`name="account" value="${id}"`);
    expect(html).toContain("YouTube channel: Ada Makes Things");
    expect(html).toMatch(/Ada&#39;s Workshop<span class="tag">Brand Account<\/span>/);
    expect(html).toContain("Managed by ada.sandbox@example.com");
    expect(html).toContain("No YouTube channel");
    expect(html).not.toMatch(/(src|href|action)="https?:/);
    expect(Object.fromEntries(hiddenInputs(html))).toMatchObject({ client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, state: "state-123", prompt: "consent select_account" });
  });

  it("reflected values are HTML-escaped", async () => {
    const html = await (await fetch(authorizeUrl(authorizeParams({ state: `"><script>alert(1)</script>` })))).text();
    expect(html).not.toContain("<script>");
    expect(html).toContain("&quot;&gt;&lt;script&gt;");
  });

  it("login_hint preselects the account", async () => {
    const html = await (await fetch(authorizeUrl(authorizeParams({ login_hint: "ben@studio.example" })))).text();
    expect(html).toContain(`value="${BEN}" checked`);
    expect(html).not.toContain(`value="${ADA}" checked`);
  });
});

describe("errors Google shows on its own page (never redirected)", () => {
  const cases: [string, Record<string, string | undefined>, number, string][] = [
    ["missing client_id", { client_id: undefined }, 400, "invalid_request"],
    ["unknown client_id", { client_id: "nope.apps.googleusercontent.com" }, 401, "invalid_client"],
    ["missing redirect_uri", { redirect_uri: undefined }, 400, "invalid_request"],
    ["redirect_uri with a trailing slash", { redirect_uri: `${REDIRECT_URI}/` }, 400, "redirect_uri_mismatch"],
    ["redirect_uri on another host", { redirect_uri: "https://evil.example/api/oauth/youtube/callback" }, 400, "redirect_uri_mismatch"],
    ["redirect_uri with another port", { redirect_uri: "http://localhost:3001/api/oauth/youtube/callback" }, 400, "redirect_uri_mismatch"],
    ["missing response_type", { response_type: undefined }, 400, "invalid_request"],
    ["response_type=token", { response_type: "token" }, 400, "invalid_request"],
    ["missing scope", { scope: undefined }, 400, "invalid_request"],
    ["unknown scope", { scope: `${READONLY} https://www.googleapis.com/auth/drive.everything` }, 400, "invalid_scope"],
    ["comma-separated scopes", { scope: `${READONLY},${UPLOAD}` }, 400, "invalid_scope"],
    ["access_type=forever", { access_type: "forever" }, 400, "invalid_request"],
    ["unknown prompt value", { prompt: "login" }, 400, "invalid_request"],
    ["prompt=none with consent", { prompt: "none consent" }, 400, "invalid_request"],
    ["code_challenge_method=S512", { code_challenge_method: "S512" }, 400, "invalid_request"],
    ["code_challenge_method without code_challenge", { code_challenge: undefined }, 400, "invalid_request"],
    ["malformed code_challenge", { code_challenge: "short" }, 400, "invalid_request"],
  ];
  for (const [name, overrides, status, error] of cases) {
    it(`${name} → Error ${status}: ${error}`, async () => {
      const res = await fetch(authorizeUrl(authorizeParams(overrides)), { redirect: "manual" });
      const html = await res.text();
      expect(res.status).toBe(status);
      expect(res.headers.get("location")).toBeNull();
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(html).toContain(`data-error="${error}"`);
      expect(html).toContain(`Error ${status}: ${error}`);
    });
  }

  it("a repeated parameter → Error 400: invalid_request", async () => {
    const params = authorizeParams();
    params.append("redirect_uri", "https://evil.example/cb");
    const res = await fetch(authorizeUrl(params), { redirect: "manual" });
    expect([res.status, res.headers.get("location")]).toEqual([400, null]);
  });

  it("the consent POST re-validates its hidden inputs: a tampered redirect_uri gets the error page", async () => {
    const form = authorizeParams({ redirect_uri: "https://evil.example/cb" });
    form.append("account", ADA);
    form.append("decision", "allow");
    const res = await fetch(`${sb.url}/o/oauth2/v2/auth/consent`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString(), redirect: "manual" });
    expect([res.status, res.headers.get("location")]).toEqual([400, null]);
  });

  it("an account that is not in the chooser is refused", async () => {
    const r = await consent(sb.url, authorizeParams(), { account: "someone-else" });
    expect([r.status, r.location]).toEqual([400, null]);
  });

  it("Testing app: an account that is not a test user gets Error 403: access_denied, no redirect", async () => {
    const client = sb.control.options().clients[0];
    if (!client) throw new Error("no client");
    sb.control.setOptions({ clients: [{ ...client, publishingStatus: "testing", testUsers: ["ada.sandbox@example.com"] }] });
    const blocked = await consent(sb.url, authorizeParams(), { account: BEN });
    expect(blocked.status).toBe(403);
    expect(blocked.location).toBeNull();
    expect(blocked.html).toContain("Error 403: access_denied");
    // A Brand Account managed by a test user is reachable through that user.
    expect((await consent(sb.url, authorizeParams(), { account: ADA })).status).toBe(302);
    expect((await consent(sb.url, authorizeParams(), { account: ADA_BRAND })).status).toBe(302);
  });
});

describe("consent screen (granular consent)", () => {
  it("more than one non-sign-in scope: one unticked checkbox each, plus Select all; sign-in scopes are a block without checkboxes", async () => {
    const r = await consent(sb.url, authorizeParams({ scope: `openid email ${READONLY} ${UPLOAD}` }));
    const html = r.consentHtml ?? "";
    expect(html).toContain("SocialFlow (sandbox) wants access to your Google Account");
    expect(html).toContain('data-checkboxes="yes"');
    expect(html).toContain(`name="scope_granted" value="${READONLY}">`);
    expect(html).toContain(`name="scope_granted" value="${UPLOAD}">`);
    expect(html).not.toMatch(/name="scope_granted"[^>]*checked/);
    expect(html).toContain('name="select_all"');
    expect(html).not.toContain('value="openid"');
    expect(html).toContain("See your primary Google Account email address");
  });

  it("a single non-sign-in scope: no checkboxes", async () => {
    const r = await consent(sb.url, authorizeParams({ scope: `openid ${READONLY}` }));
    expect(r.consentHtml).toContain('data-checkboxes="no"');
    expect(r.consentHtml).not.toContain('name="scope_granted"');
    expect(r.consentHtml).not.toContain('name="select_all"');
    expect(r.status).toBe(302);
  });

  it("unticking youtube.upload: the callback's and the token's scope lack it", async () => {
    const cb = await getCode(sb.url, authorizeParams(), { ticked: [READONLY] });
    expect(cb.scope).toBe(READONLY);
    const t = await exchange(sb.url, cb.code);
    expect(t.json.scope).toBe(READONLY);
  });

  it("nothing ticked and no sign-in scope: the sandbox redirects access_denied", async () => {
    const r = await consent(sb.url, authorizeParams(), { ticked: [] });
    const cb = new URL(r.location ?? "");
    expect(cb.searchParams.get("error")).toBe("access_denied");
  });
});

describe("callback redirect", () => {
  it("success: state, code (4/0A…, percent-encoded /), scope (granted, space-separated), authuser, prompt", async () => {
    const cb = await getCode(sb.url, authorizeParams({ scope: `openid email ${READONLY} ${UPLOAD}`, state: "s t&a=te/?" }));
    expect(cb.location.startsWith(`${REDIRECT_URI}?state=`)).toBe(true);
    expect(cb.location).toContain("code=4%2F0A");
    expect(cb.code).toMatch(/^4\/0A[A-Za-z0-9_-]+$/);
    expect(cb.state).toBe("s t&a=te/?");
    // Short names asked for are echoed, and so are the URLs they stand for.
    expect(cb.scope.split(" ").sort()).toEqual(["email", "openid", READONLY, UPLOAD, USERINFO_EMAIL].sort());
    expect([...cb.params.keys()]).toEqual(["state", "code", "scope", "authuser", "prompt"]);
    expect(cb.params.get("authuser")).toBe("0");
    expect(cb.params.get("prompt")).toBe("consent");
  });

  it("authuser: a Brand Account shares its manager's index; hd for a Workspace account", async () => {
    expect((await getCode(sb.url, authorizeParams(), { account: ADA_BRAND })).params.get("authuser")).toBe("0");
    const ben = await getCode(sb.url, authorizeParams(), { account: BEN });
    expect(ben.params.get("authuser")).toBe("1");
    expect(ben.params.get("hd")).toBe("studio.example");
    expect((await getCode(sb.url, authorizeParams(), { account: NORA })).params.get("authuser")).toBe("2");
  });

  it("issParameter: iss=https://accounts.google.com is added (RFC 9207)", async () => {
    sb.control.setOptions({ issParameter: true });
    expect((await getCode(sb.url)).params.get("iss")).toBe("https://accounts.google.com");
  });

  it("Cancel on the chooser or on the consent screen → ?error=access_denied&state=…, no code, no description", async () => {
    for (const cancelAt of ["chooser", "consent"] as const) {
      const r = await consent(sb.url, authorizeParams({ state: "xyz" }), { cancelAt });
      expect(r.status).toBe(302);
      const cb = new URL(r.location ?? "");
      expect(`${cb.origin}${cb.pathname}`).toBe(REDIRECT_URI);
      expect([...cb.searchParams.entries()]).toEqual([
        ["error", "access_denied"],
        ["state", "xyz"],
      ]);
    }
  });
});

describe("remembered consent", () => {
  it("a returning user without prompt=consent skips the consent screen (prompt=none in the callback) and gets no refresh_token", async () => {
    const first = await exchange(sb.url, (await getCode(sb.url)).code);
    expect(first.json.refresh_token).toEqual(expect.any(String));
    const again = await consent(sb.url, authorizeParams({ prompt: "select_account" }));
    expect(again.consentHtml).toBeUndefined();
    expect(again.status).toBe(302);
    const cb = new URL(again.location ?? "");
    expect(cb.searchParams.get("prompt")).toBe("none");
    const second = await exchange(sb.url, cb.searchParams.get("code") ?? "");
    expect(second.json.access_token).toEqual(expect.any(String));
    expect(second.json).not.toHaveProperty("refresh_token");
  });

  it("prompt=consent shows the screen again and mints a new refresh_token; the earlier one stays valid", async () => {
    const first = (await exchange(sb.url, (await getCode(sb.url)).code)).json;
    const r = await consent(sb.url, authorizeParams({ prompt: "consent" }));
    expect(r.consentHtml).toBeDefined();
    const second = (await exchange(sb.url, new URL(r.location ?? "").searchParams.get("code") ?? "")).json;
    expect(second.refresh_token).toEqual(expect.any(String));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(sb.control.tokenState(String(first.refresh_token))).toBe("valid");
  });

  it("access_type=online: no refresh_token even on first consent", async () => {
    const t = await exchange(sb.url, (await getCode(sb.url, authorizeParams({ access_type: undefined }))).code);
    expect(t.json).not.toHaveProperty("refresh_token");
  });

  it("remembered consent is per account and per client", async () => {
    await getCode(sb.url);
    expect(sb.control.grantedScopes(ADA)).toEqual([READONLY, UPLOAD]);
    expect(sb.control.grantedScopes(BEN)).toEqual([]);
    const r = await consent(sb.url, authorizeParams({ prompt: undefined }), { account: BEN });
    expect(r.consentHtml).toBeDefined();
  });

  it("include_granted_scopes=true merges earlier grants into the new code; without it only what was asked", async () => {
    await getCode(sb.url, authorizeParams({ scope: READONLY }));
    const merged = await getCode(sb.url, authorizeParams({ scope: UPLOAD, prompt: undefined }));
    expect(merged.scope.split(" ").sort()).toEqual([READONLY, UPLOAD].sort());
    expect((await exchange(sb.url, merged.code)).json.scope).toBe(`${READONLY} ${UPLOAD}`);
    const alone = await getCode(sb.url, authorizeParams({ scope: UPLOAD, prompt: undefined, include_granted_scopes: undefined }));
    expect(alone.scope).toBe(UPLOAD);
  });

  it("an incremental request asks only for the new scope; the earlier one is listed as already granted", async () => {
    await getCode(sb.url, authorizeParams({ scope: READONLY }));
    const r = await consent(sb.url, authorizeParams({ scope: `${READONLY} ${UPLOAD}`, prompt: undefined }));
    expect(r.consentHtml).toContain('data-checkboxes="no"');
    expect(r.consentHtml).toContain("already has access to");
    expect(new URL(r.location ?? "").searchParams.get("scope")).toBe(`${READONLY} ${UPLOAD}`);
  });
});

describe("prompt=none", () => {
  it("no login_hint → login_required; not yet consented → consent_required; consented → code with prompt=none", async () => {
    const silent = (hint?: string) => fetch(authorizeUrl(authorizeParams({ prompt: "none", login_hint: hint, state: "q" })), { redirect: "manual" });
    const err = async (hint?: string) => new URL((await silent(hint)).headers.get("location") ?? "").searchParams;
    expect(Object.fromEntries(await err())).toEqual({ error: "login_required", state: "q" });
    expect((await err("ada.sandbox@example.com")).get("error")).toBe("consent_required");
    await getCode(sb.url);
    const ok = await err("ada.sandbox@example.com");
    expect(ok.get("code")).toMatch(/^4\/0A/);
    expect(ok.get("prompt")).toBe("none");
  });
});
