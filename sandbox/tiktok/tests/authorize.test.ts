/**
 * https://developers.tiktok.com/doc/login-kit-web: the consent page, its error pages, and the callback redirect.
 */
import { describe, expect, it } from "vitest";
import { sandboxForFile } from "../../kit/test-helpers";
import { AVA, BEN, authorizeParams, consent, exchange, getCode, hiddenInputs, REDIRECT_URI, start } from "./helpers";

const sb = sandboxForFile(() => start());

describe("§1 consent page", () => {
  it("§1 consent page: shows app, scopes with ids, test accounts, Authorize and Cancel, no external resources", async () => {
    const params = authorizeParams({ scope: "user.info.basic,user.info.profile,user.info.stats,video.list,video.upload,video.publish" });
    const res = await fetch(`${sb.url}/v2/auth/authorize/?${params}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(html).toContain("SocialFlow (sandbox) wants to access your TikTok account");
    for (const scope of ["user.info.basic", "user.info.profile", "user.info.stats", "video.list", "video.upload", "video.publish"]) {
      expect(html).toMatch(new RegExp(`<input type="checkbox"[^>]*value="${scope.replace(/\./g, "\\.")}" checked`));
      expect(html).toContain(`(${scope})`);
    }
    expect(html).toContain("Read your profile info (avatar, display name)");
    expect(html).toContain("Access your public videos");
    // user.info.basic is required: ticked and disabled.
    expect(html).toMatch(/value="user\.info\.basic" checked disabled/);
    expect(html).toContain("<legend>Choose a test account</legend>");
    for (const u of sb.control.users()) {
      expect(html).toContain(`value="${u.openId}"`);
      expect(html).toContain(u.displayName);
      expect(html).toContain(`src="/avatars/${u.openId}.svg"`);
    }
    expect(html).toMatch(/<button[^>]*value="authorize">Authorize<\/button>/);
    expect(html).toMatch(/<button[^>]*value="cancel">Cancel<\/button>/);
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(Object.fromEntries(hiddenInputs(html))).toMatchObject({ client_key: "sandbox_client_key", redirect_uri: REDIRECT_URI, state: "state-123" });
  });

  it("§1 consent page: reflected values are HTML-escaped", async () => {
    const res = await fetch(`${sb.url}/v2/auth/authorize/?${authorizeParams({ state: `"><script>alert(1)</script>` })}`);
    const html = await res.text();
    expect(html).not.toContain("<script>");
    expect(html).toContain("&quot;&gt;&lt;script&gt;");
  });

  const misconfigurations: [string, Record<string, string | undefined>, string][] = [
    ["unknown client_key", { client_key: "nope" }, "client_key"],
    ["client_id instead of client_key", { client_key: undefined, client_id: "sandbox_client_key" }, "client_key"],
    ["response_type=token", { response_type: "token" }, "response_type"],
    ["redirect_uri with a trailing slash", { redirect_uri: `${REDIRECT_URI}/` }, "redirect_uri"],
    ["redirect_uri on another host", { redirect_uri: "https://evil.example/api/oauth/tiktok/callback" }, "redirect_uri"],
    ["redirect_uri with an extra query", { redirect_uri: `${REDIRECT_URI}?x=1` }, "redirect_uri"],
    ["unknown scope", { scope: "user.info.basic,video.delete" }, "scope"],
    ["space-separated scopes", { scope: "user.info.basic video.list" }, "scope"],
    ["missing scope", { scope: undefined }, "scope"],
    ["missing code_challenge", { code_challenge: undefined, code_challenge_method: undefined }, "code_challenge"],
    ["code_challenge_method=plain", { code_challenge_method: "plain" }, "code_challenge_method"],
  ];
  for (const [name, overrides, param] of misconfigurations) {
    it(`§1 misconfiguration error page (no redirect): ${name}`, async () => {
      const res = await fetch(`${sb.url}/v2/auth/authorize/?${authorizeParams(overrides)}`, { redirect: "manual" });
      const html = await res.text();
      expect(res.status).toBe(400);
      expect(res.headers.get("location")).toBeNull();
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(html).toContain("Something went wrong");
      expect(html).toMatch(new RegExp(`data-params="[^"]*${param}`));
      expect(html).not.toContain("code=");
    });
  }

  it("§1 misconfiguration error page (no redirect): repeated redirect_uri", async () => {
    const params = authorizeParams();
    params.append("redirect_uri", "https://evil.example/cb");
    const res = await fetch(`${sb.url}/v2/auth/authorize/?${params}`, { redirect: "manual" });
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
  });

  it("§1 decision re-validates the hidden inputs: a tampered redirect_uri gets an error page", async () => {
    const form = authorizeParams({ redirect_uri: "https://evil.example/cb" });
    form.append("open_id", AVA);
    form.append("decision", "authorize");
    const res = await fetch(`${sb.url}/v2/auth/authorize/decision`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
      redirect: "manual",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
  });

  it("§1 decision rejects an unknown test account", async () => {
    const r = await consent(sb.url, authorizeParams(), { openId: "someone-else" });
    expect(r.status).toBe(400);
    expect(r.location).toBeNull();
  });

  it("§1 pkceRequired=false: authorize without code_challenge, exchange without verifier", async () => {
    sb.control.setOptions({ pkceRequired: false });
    const { code } = await getCode(sb.url, authorizeParams({ code_challenge: undefined, code_challenge_method: undefined }));
    const r = await exchange(sb.url, code, { code_verifier: "" });
    expect(typeof r.json.access_token).toBe("string");
  });
});

describe("§1 callback redirect", () => {
  it("§1 authorize redirects with code (containing * and !, percent-encoded), scopes and state", async () => {
    const r = await consent(sb.url, authorizeParams({ state: "s t&a=te/?" }));
    expect(r.status).toBe(302);
    const location = r.location ?? "";
    expect(location.startsWith(`${REDIRECT_URI}?`)).toBe(true);
    const cb = new URL(location);
    const code = cb.searchParams.get("code") ?? "";
    expect(code).toMatch(/^[A-Za-z0-9_-]+\*0!\d{4}\.va$/);
    // `!` is percent-encoded on the wire; the decoded value is what the token endpoint expects.
    expect(location).toContain("%21");
    expect(location).not.toContain("!");
    expect(cb.searchParams.get("scopes")).toBe("user.info.basic,video.list");
    expect(cb.searchParams.get("state")).toBe("s t&a=te/?");
    expect((await exchange(sb.url, code)).json.access_token).toEqual(expect.any(String));
  });

  it("§1 partial scope grant: unticked scopes are not granted, on the callback and in the token", async () => {
    const params = authorizeParams({ scope: "user.info.basic,video.list,video.upload,user.info.stats" });
    const { code, scopes } = await getCode(sb.url, params, { granted: ["video.list"], openId: BEN });
    expect(scopes).toBe("user.info.basic,video.list");
    const r = await exchange(sb.url, code);
    expect(r.json.scope).toBe("user.info.basic,video.list");
    expect(r.json.open_id).toBe(BEN);
  });

  it("§1 user.info.basic is always granted, even if the form leaves it out", async () => {
    const { scopes } = await getCode(sb.url, authorizeParams({ scope: "user.info.basic,video.upload" }), { granted: [] });
    expect(scopes).toBe("user.info.basic");
  });

  it("§1/§5 approvedScopes: scopes the app is not approved for are neither shown nor granted", async () => {
    const client = sb.control.options().clients[0];
    if (client === undefined) throw new Error("no default client");
    sb.control.setOptions({ clients: [{ ...client, approvedScopes: ["user.info.basic", "video.list"] }] });
    const params = authorizeParams({ scope: "user.info.basic,video.list,video.upload,video.publish" });
    const html = await (await fetch(`${sb.url}/v2/auth/authorize/?${params}`)).text();
    expect(html).toContain("(video.list)");
    expect(html).not.toContain("(video.upload)");
    const { scopes } = await getCode(sb.url, params);
    expect(scopes).toBe("user.info.basic,video.list");
  });

  it("§1 cancel → error=access_denied with error_description and state, no code", async () => {
    const r = await consent(sb.url, authorizeParams({ state: "xyz" }), { decision: "cancel" });
    expect(r.status).toBe(302);
    const cb = new URL(r.location ?? "");
    expect(`${cb.origin}${cb.pathname}`).toBe(REDIRECT_URI);
    expect(cb.searchParams.get("error")).toBe("access_denied");
    expect(cb.searchParams.get("error_description")).toBeTruthy();
    expect(cb.searchParams.get("state")).toBe("xyz");
    expect(cb.searchParams.has("code")).toBe(false);
  });

  it("§1 redirect_uris option: a second registered URI works, the old default is then refused", async () => {
    sb.control.setOptions({ redirectUris: ["http://127.0.0.1:3200/api/oauth/tiktok/callback"] });
    const ok = await consent(sb.url, authorizeParams({ redirect_uri: "http://127.0.0.1:3200/api/oauth/tiktok/callback" }));
    expect(ok.status).toBe(302);
    const refused = await consent(sb.url, authorizeParams());
    expect(refused.status).toBe(400);
  });
});
