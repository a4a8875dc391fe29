/**
 * https://developers.tiktok.com/doc/tiktok-api-v2-video-list: user info, video list, wrapped errors, rate limits; avatars.
 */
import { describe, expect, it } from "vitest";
import { sandboxForFile } from "../../kit/test-helpers";
import { AVA, BEN, CLEO, api, connect, data, errorCode, start, type HttpResult } from "./helpers";

const sb = sandboxForFile(() => start());

const BASIC = "open_id,union_id,avatar_url,avatar_url_100,avatar_large_url,display_name";
const PROFILE = "bio_description,profile_deep_link,is_verified,username";
const STATS = "follower_count,following_count,likes_count,video_count";
const VIDEO_FIELDS = "id,title,cover_image_url,share_url,create_time,duration,view_count,like_count,comment_count,share_count";

function token(openId: string, scopes: string): string {
  return sb.control.issueTokensDirectly({ openId, scopes }).access_token;
}

function expectWrappedError(r: HttpResult, code: string, status: number) {
  expect(r.status).toBe(status);
  expect(r.json.data).toEqual({});
  expect(errorCode(r)).toBe(code);
  expect((r.json.error as { log_id: string }).log_id).toEqual(expect.any(String));
}

describe("§4 user info", () => {
  it("§4 user info: GET with ?fields returns the wrapped user with basic fields", async () => {
    const t = await connect(sb.url, "user.info.basic");
    const r = await api(sb.url, `/v2/user/info/?fields=${BASIC}`, { token: t.access_token });
    expect(r.status).toBe(200);
    expect(r.json.error).toMatchObject({ code: "ok", message: "" });
    const user = data<{ user: Record<string, unknown> }>(r).user;
    expect(Object.keys(user).sort()).toEqual(BASIC.split(",").sort());
    expect(user).toMatchObject({ open_id: AVA, union_id: expect.any(String), display_name: "Ava Sandbox" });
    for (const f of ["avatar_url", "avatar_url_100", "avatar_large_url"]) expect(String(user[f])).toMatch(/^https:\/\//);
  });

  it("§4 user info fields per scope: profile and stats fields need their scopes (scope_permission_missed 400)", async () => {
    const basicOnly = token(AVA, "user.info.basic");
    expectWrappedError(await api(sb.url, `/v2/user/info/?fields=open_id,username`, { token: basicOnly }), "scope_permission_missed", 400);
    expectWrappedError(await api(sb.url, `/v2/user/info/?fields=follower_count`, { token: basicOnly }), "scope_permission_missed", 400);

    const profile = token(AVA, "user.info.basic,user.info.profile");
    const p = await api(sb.url, `/v2/user/info/?fields=${PROFILE}`, { token: profile });
    expect(data<{ user: Record<string, unknown> }>(p).user).toMatchObject({ username: "ava.sandbox", is_verified: true, bio_description: expect.any(String) });
    expectWrappedError(await api(sb.url, `/v2/user/info/?fields=video_count`, { token: profile }), "scope_permission_missed", 400);

    const stats = token(CLEO, "user.info.basic,user.info.stats");
    const s = await api(sb.url, `/v2/user/info/?fields=${STATS}`, { token: stats });
    expect(data<{ user: Record<string, unknown> }>(s).user).toMatchObject({ video_count: 0, follower_count: expect.any(Number), likes_count: 0 });
  });

  it("§4 user info: unknown or missing fields → invalid_params 400", async () => {
    const t = token(AVA, "user.info.basic");
    expectWrappedError(await api(sb.url, `/v2/user/info/?fields=open_id,email`, { token: t }), "invalid_params", 400);
    expectWrappedError(await api(sb.url, `/v2/user/info/`, { token: t }), "invalid_params", 400);
  });

  it("§4 user info: the plan's JSON POST is not accepted", async () => {
    const t = token(AVA, "user.info.basic");
    const r = await api(sb.url, `/v2/user/info/`, { token: t, method: "POST", body: { fields: ["open_id"] } });
    expect(r.status).not.toBe(200);
    expect(errorCode(r)).not.toBe("ok");
  });

  it("§4 access_token_invalid 401: missing, malformed, unknown and revoked tokens", async () => {
    expectWrappedError(await api(sb.url, `/v2/user/info/?fields=open_id`), "access_token_invalid", 401);
    expectWrappedError(await api(sb.url, `/v2/user/info/?fields=open_id`, { headers: { authorization: "Basic abc" } }), "access_token_invalid", 401);
    expectWrappedError(await api(sb.url, `/v2/user/info/?fields=open_id`, { token: "act.nope" }), "access_token_invalid", 401);
    const t = token(AVA, "user.info.basic");
    sb.control.revokeGrant(AVA);
    expectWrappedError(await api(sb.url, `/v2/user/info/?fields=open_id`, { token: t }), "access_token_invalid", 401);
  });

  it("§4 paths are exact: /v2/user/info without the trailing slash → 404", async () => {
    const r = await api(sb.url, "/v2/user/info?fields=open_id", { token: token(AVA, "user.info.basic") });
    expect([r.status, errorCode(r)]).toEqual([404, "not_found"]);
  });

  it("§4 scope_not_authorized 401: a token without user.info.basic", async () => {
    const t = token(AVA, "video.list");
    expectWrappedError(await api(sb.url, `/v2/user/info/?fields=open_id`, { token: t }), "scope_not_authorized", 401);
  });

  it("§4 avatars: avatarBaseUrl points avatar_url at the sandbox's own /avatars/<openId>.svg, which serves an SVG", async () => {
    sb.control.setOptions({ avatarBaseUrl: `${sb.url}/avatars/` });
    const t = token(BEN, "user.info.basic");
    const user = data<{ user: { avatar_url: string } }>(await api(sb.url, `/v2/user/info/?fields=avatar_url`, { token: t })).user;
    expect(user.avatar_url).toBe(`${sb.url}/avatars/${BEN}.svg`);
    const img = await fetch(user.avatar_url);
    expect(img.status).toBe(200);
    expect(img.headers.get("content-type")).toBe("image/svg+xml");
    expect(await img.text()).toContain(">BP</text>");
    expect((await fetch(`${sb.url}/avatars/1.svg`)).status).toBe(200);
    expect((await fetch(`${sb.url}/avatars/nobody.svg`)).status).toBe(404);
    sb.control.setOptions({ avatarBaseUrl: null });
    const again = data<{ user: { avatar_url: string } }>(await api(sb.url, `/v2/user/info/?fields=avatar_url`, { token: t })).user;
    expect(again.avatar_url).toMatch(/^https:\/\/p16-sign\.tiktokcdn-sandbox\.invalid\//);
  });
});

describe("covers", () => {
  it("coverBaseUrl points cover_image_url at the sandbox's own /covers/<openId>/<videoId>.svg, which serves an image", async () => {
    sb.control.setOptions({ coverBaseUrl: `${sb.url}/covers/` });
    const t = token(AVA, "video.list");
    const list = data<{ videos: { id: string; title: string; cover_image_url: string }[] }>(
      await api(sb.url, `/v2/video/list/?fields=id,title,cover_image_url`, { token: t, body: { max_count: 2 } }),
    ).videos;
    expect(list).toHaveLength(2);
    for (const v of list) {
      expect(v.cover_image_url).toBe(`${sb.url}/covers/${AVA}/${v.id}.svg`);
      expect(new URL(v.cover_image_url).origin).toBe(sb.url);
      const img = await fetch(v.cover_image_url);
      expect(img.status).toBe(200);
      expect(img.headers.get("content-type")).toBe("image/svg+xml");
      const svg = await img.text();
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(svg).toContain("@ava.sandbox");
    }
    // Another user's video id, or an unknown one, is not served.
    expect((await fetch(`${sb.url}/covers/${BEN}/${list[0]?.id ?? ""}.svg`)).status).toBe(404);
    expect((await fetch(`${sb.url}/covers/${AVA}/1.svg`)).status).toBe(404);
    expect((await fetch(`${sb.url}/covers/${AVA}.svg`)).status).toBe(404);
    sb.control.setOptions({ coverBaseUrl: null });
    const again = data<{ videos: { cover_image_url: string }[] }>(
      await api(sb.url, `/v2/video/list/?fields=cover_image_url`, { token: t, body: { max_count: 1 } }),
    ).videos;
    expect(again[0]?.cover_image_url).toMatch(/^https:\/\/p16-sign\.tiktokcdn-sandbox\.invalid\//);
  });

  it("a cover's title is escaped XML", async () => {
    const { coverSvg } = await import("../covers");
    const user = sb.control.users()[0];
    if (user === undefined) throw new Error("no seeded user");
    const svg = coverSvg(user, { id: "1", title: `<script>alert("x")</script> & more` });
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&#60;script&#62;");
  });
});

describe("§4 video list", () => {
  async function page(t: string, body: unknown, fields = VIDEO_FIELDS) {
    return api(sb.url, `/v2/video/list/?fields=${fields}`, { token: t, body });
  }

  it("§4 video list pagination to the end: 25 videos, newest first, cursor in ms, has_more false at the end", async () => {
    const t = token(AVA, "user.info.basic,video.list");
    const seen: { id: string; create_time: number }[] = [];
    let cursor: number | undefined;
    const sizes: number[] = [];
    for (;;) {
      const r = await page(t, cursor === undefined ? { max_count: 10 } : { cursor, max_count: 10 });
      expect(r.status).toBe(200);
      const d = data<{ videos: Record<string, unknown>[]; cursor: number; has_more: boolean }>(r);
      sizes.push(d.videos.length);
      for (const v of d.videos) {
        expect(Object.keys(v).sort()).toEqual(VIDEO_FIELDS.split(",").sort());
        expect(String(v.share_url)).toMatch(/^https:\/\//);
        seen.push(v as { id: string; create_time: number });
      }
      const last = d.videos[d.videos.length - 1] as { create_time: number };
      expect(d.cursor).toBe(last.create_time * 1000);
      if (!d.has_more) break;
      cursor = d.cursor;
    }
    expect(sizes).toEqual([10, 10, 5]);
    expect(new Set(seen.map((v) => v.id)).size).toBe(25);
    for (let i = 1; i < seen.length; i++) expect((seen[i] as { create_time: number }).create_time).toBeLessThan((seen[i - 1] as { create_time: number }).create_time);
  });

  it("§4 video list: default max_count is 10, max 20; out-of-range → invalid_params", async () => {
    const t = token(BEN, "user.info.basic,video.list");
    expect(data<{ videos: unknown[] }>(await page(t, {})).videos).toHaveLength(10);
    const twenty = data<{ videos: unknown[]; has_more: boolean }>(await page(t, { max_count: 20 }));
    expect(twenty.videos).toHaveLength(20);
    expect(twenty.has_more).toBe(true);
    expectWrappedError(await page(t, { max_count: 21 }), "invalid_params", 400);
    expectWrappedError(await page(t, { max_count: 0 }), "invalid_params", 400);
    expectWrappedError(await page(t, { cursor: "abc" }), "invalid_params", 400);
  });

  it("§4 video list: only the requested fields; a zero-video user gets an empty last page", async () => {
    const t = token(AVA, "user.info.basic,video.list");
    const v = data<{ videos: Record<string, unknown>[] }>(await page(t, { max_count: 1 }, "id,title")).videos[0];
    expect(Object.keys(v ?? {}).sort()).toEqual(["id", "title"]);
    expectWrappedError(await page(t, {}, "id,nope"), "invalid_params", 400);
    const empty = data<{ videos: unknown[]; has_more: boolean }>(await page(token(CLEO, "user.info.basic,video.list"), {}));
    expect(empty).toMatchObject({ videos: [], has_more: false });
  });

  it("§4 video list needs video.list → scope_not_authorized 401", async () => {
    expectWrappedError(await page(token(AVA, "user.info.basic"), {}), "scope_not_authorized", 401);
  });

  it("§4 video list is deterministic across sandboxes", async () => {
    const other = await start();
    try {
      const a = await page(token(AVA, "video.list"), { max_count: 5 });
      const b = await api(other.url, `/v2/video/list/?fields=${VIDEO_FIELDS}`, { token: other.control.issueTokensDirectly({ openId: AVA, scopes: "video.list" }).access_token, body: { max_count: 5 } });
      expect(data(a)).toEqual(data(b));
    } finally {
      await other.close();
    }
  });
});

describe("§4 rate limits", () => {
  it("§4 rate limit: 429 rate_limit_exceeded at the limit, per token, sliding one-minute window", async () => {
    sb.control.setOptions({ rateLimits: { user_info: 5 } });
    const t1 = token(AVA, "user.info.basic");
    const t2 = token(AVA, "user.info.basic");
    for (let i = 0; i < 5; i++) expect((await api(sb.url, `/v2/user/info/?fields=open_id`, { token: t1 })).status).toBe(200);
    const limited = await api(sb.url, `/v2/user/info/?fields=open_id`, { token: t1 });
    expectWrappedError(limited, "rate_limit_exceeded", 429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await api(sb.url, `/v2/user/info/?fields=open_id`, { token: t2 })).status).toBe(200);
    sb.control.advanceTime(60_000);
    expect((await api(sb.url, `/v2/user/info/?fields=open_id`, { token: t1 })).status).toBe(200);
  });

  it("§4/§5 rate limit defaults: 600/600/20/6/6/30, and the 21st creator_info call in a minute → 429", async () => {
    expect(sb.control.options().rateLimits).toEqual({ user_info: 600, video_list: 600, creator_info: 20, video_init: 6, inbox_init: 6, status: 30 });
    const t = token(AVA, "user.info.basic,video.publish");
    for (let i = 0; i < 20; i++) expect((await api(sb.url, "/v2/post/publish/creator_info/query/", { token: t, method: "POST" })).status).toBe(200);
    expectWrappedError(await api(sb.url, "/v2/post/publish/creator_info/query/", { token: t, method: "POST" }), "rate_limit_exceeded", 429);
  });
});
