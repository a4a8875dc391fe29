/**
 * YouTube Data API v3: channels.list, playlistItems.list, videos.list, auth and scope errors.
 */
import { describe, expect, it } from "vitest";
import { sandboxForFile } from "../../kit/test-helpers";
import { ADA, ADA_BRAND, BEN, NORA, READONLY, UPLOAD, googleError, reason, start, yt } from "./helpers";

const sb = sandboxForFile(() => start());

const token = (accountId: string, scopes = READONLY) => sb.control.issueTokensDirectly({ accountId, scopes }).access_token;

interface Channel {
  id: string;
  snippet: { title: string; customUrl?: string; thumbnails: Record<string, { url: string; width: number; height: number }> };
  contentDetails: { relatedPlaylists: { uploads: string } };
  statistics: { viewCount: string; subscriberCount?: string; hiddenSubscriberCount: boolean; videoCount: string };
}

async function myChannel(accountId: string): Promise<Channel> {
  const r = await yt(sb.url, "channels?part=snippet,statistics,contentDetails&mine=true", token(accountId));
  return (r.json.items as Channel[])[0] as Channel;
}

describe("channels.list", () => {
  it("mine=true: the personal channel, counts as strings (subscribers rounded down to 3 figures), handle, uploads playlist", async () => {
    const r = await yt(sb.url, "channels?part=snippet,statistics,contentDetails&mine=true", token(ADA));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ kind: "youtube#channelListResponse", pageInfo: { totalResults: 1, resultsPerPage: 5 } });
    const c = (r.json.items as Channel[])[0] as Channel;
    expect(c.id).toMatch(/^UC[A-Za-z0-9_-]{22}$/);
    expect(c.snippet.title).toBe("Ada Makes Things");
    expect(c.snippet.customUrl).toBe("@adamakesthings");
    expect(c.statistics).toEqual({ viewCount: expect.stringMatching(/^\d+$/), subscriberCount: "1230", hiddenSubscriberCount: false, videoCount: "30" });
    expect(c.contentDetails.relatedPlaylists.uploads).toBe(`UU${c.id.slice(2)}`);
  });

  it("thumbnails are served by the sandbox itself (88/240/800), and Google's JSON escapes '=' as \\u003d", async () => {
    const r = await yt(sb.url, "channels?part=snippet&mine=true", token(ADA));
    const thumbs = ((r.json.items as Channel[])[0] as Channel).snippet.thumbnails;
    expect(Object.entries(thumbs).map(([k, v]) => [k, v.width])).toEqual([
      ["default", 88],
      ["medium", 240],
      ["high", 800],
    ]);
    expect(thumbs.default?.url.startsWith(`${sb.url}/yt3/`)).toBe(true);
    expect(thumbs.default?.url).toContain("=s88");
    expect(r.text).toContain("\\u003ds88");
    const img = await fetch(thumbs.default?.url ?? "");
    expect(img.status).toBe(200);
    expect(img.headers.get("content-type")).toBe("image/svg+xml");
  });

  it("a Brand Account channel: hiddenSubscriberCount true and no subscriberCount", async () => {
    const c = await myChannel(ADA_BRAND);
    expect(c.snippet.title).toBe("Ada's Workshop");
    expect(c.statistics.hiddenSubscriberCount).toBe(true);
    expect(c.statistics).not.toHaveProperty("subscriberCount");
  });

  it("a channel without a handle has no customUrl", async () => {
    expect((await myChannel(BEN)).snippet).not.toHaveProperty("customUrl");
  });

  it("a Google identity with no channel: 200, totalResults 0 and NO items key", async () => {
    const r = await yt(sb.url, "channels?part=snippet,statistics,contentDetails&mine=true", token(NORA));
    expect(r.status).toBe(200);
    expect(Object.keys(r.json).sort()).toEqual(["etag", "kind", "pageInfo"]);
    expect(r.json.pageInfo).toEqual({ totalResults: 0, resultsPerPage: 5 });
  });

  it("only the requested parts; id= and forHandle= lookups", async () => {
    const ada = await myChannel(ADA);
    const r = await yt(sb.url, `channels?part=id&id=${ada.id},UCnonexistentnonexistent0`, token(NORA));
    expect(r.json.items).toEqual([{ kind: "youtube#channel", etag: expect.any(String), id: ada.id }]);
    const h = await yt(sb.url, "channels?part=snippet&forHandle=adamakesthings", token(NORA));
    expect((h.json.items as Channel[])[0]?.id).toBe(ada.id);
  });

  it("parameter errors: part missing → 400 required; unknown part; no filter → missingRequiredParameter; two filters → incompatibleParameters", async () => {
    const t = token(ADA);
    const noPart = await yt(sb.url, "channels?mine=true", t);
    expect([noPart.status, reason(noPart), googleError(noPart).errors[0]?.location]).toEqual([400, "required", "part"]);
    expect(reason(await yt(sb.url, "channels?part=snippet,bogus&mine=true", t))).toBe("unknownPart");
    const noFilter = await yt(sb.url, "channels?part=id", t);
    expect([noFilter.status, reason(noFilter)]).toEqual([400, "missingRequiredParameter"]);
    expect(reason(await yt(sb.url, "channels?part=id&mine=true&id=UCx", t))).toBe("incompatibleParameters");
  });
});

interface PlaylistItem {
  id: string;
  snippet: { position: number; title: string; thumbnails: Record<string, unknown>; resourceId: { kind: string; videoId: string }; playlistId: string; channelId: string };
  contentDetails: { videoId: string; videoPublishedAt?: string };
}

describe("playlistItems.list (uploads playlist)", () => {
  it("pages of maxResults, newest first, nextPageToken until the last page, prevPageToken after the first", async () => {
    const t = token(ADA);
    const uploads = (await myChannel(ADA)).contentDetails.relatedPlaylists.uploads;
    const seen: PlaylistItem[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const r = await yt(sb.url, `playlistItems?part=snippet,contentDetails&playlistId=${uploads}&maxResults=12${pageToken ? `&pageToken=${pageToken}` : ""}`, t);
      expect(r.status).toBe(200);
      expect(r.json.pageInfo).toEqual({ totalResults: 30, resultsPerPage: 12 });
      expect(pages === 0 ? r.json.prevPageToken : r.json.prevPageToken).toEqual(pages === 0 ? undefined : expect.any(String));
      seen.push(...(r.json.items as PlaylistItem[]));
      pageToken = r.json.nextPageToken as string | undefined;
      pages++;
    } while (pageToken !== undefined);
    expect(pages).toBe(3);
    expect(seen.map((i) => i.snippet.position)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(new Set(seen.map((i) => i.contentDetails.videoId)).size).toBe(30);
    const times = seen.map((i) => Date.parse((i.snippet as unknown as { publishedAt: string }).publishedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(seen[0]?.snippet.resourceId.kind).toBe("youtube#video");
    expect(seen[0]?.id).toMatch(/^VVV/);
  });

  it("default maxResults is 5; maxResults 51 → 400; a bad pageToken → 400 invalidPageToken", async () => {
    const t = token(ADA);
    const uploads = (await myChannel(ADA)).contentDetails.relatedPlaylists.uploads;
    expect((await yt(sb.url, `playlistItems?part=id&playlistId=${uploads}`, t)).json.items).toHaveLength(5);
    expect((await yt(sb.url, `playlistItems?part=id&playlistId=${uploads}&maxResults=51`, t)).status).toBe(400);
    const bad = await yt(sb.url, `playlistItems?part=id&playlistId=${uploads}&pageToken=nonsense`, t);
    expect([bad.status, reason(bad)]).toEqual([400, "invalidPageToken"]);
  });

  it("the uploads of a channel with no videos → 404 playlistNotFound (domain youtube.playlistItem, location playlistId)", async () => {
    const uploads = (await myChannel(BEN)).contentDetails.relatedPlaylists.uploads;
    const r = await yt(sb.url, `playlistItems?part=snippet&playlistId=${uploads}&maxResults=50`, token(BEN));
    expect(r.status).toBe(404);
    expect(googleError(r)).toMatchObject({ code: 404, errors: [{ reason: "playlistNotFound", domain: "youtube.playlistItem", location: "playlistId", locationType: "parameter" }] });
    expect(googleError(r)).not.toHaveProperty("status");
    expect(reason(await yt(sb.url, "playlistItems?part=snippet&playlistId=UUunknown", token(BEN)))).toBe("playlistNotFound");
  });

  it("private uploads: no videoPublishedAt, and visible only to the owner", async () => {
    const uploads = (await myChannel(ADA)).contentDetails.relatedPlaylists.uploads;
    const mine = (await yt(sb.url, `playlistItems?part=contentDetails,status&playlistId=${uploads}&maxResults=50`, token(ADA))).json.items as (PlaylistItem & { status: { privacyStatus: string } })[];
    const priv = mine.filter((i) => i.status.privacyStatus === "private");
    expect(priv.length).toBeGreaterThan(0);
    for (const p of priv) expect(p.contentDetails).not.toHaveProperty("videoPublishedAt");
    const theirs = (await yt(sb.url, `playlistItems?part=contentDetails&playlistId=${uploads}&maxResults=50`, token(NORA))).json;
    expect((theirs.items as unknown[]).length).toBe(30 - priv.length);
  });

  it("thumbnail keys vary: standard/maxres only on some videos", async () => {
    const uploads = (await myChannel(ADA)).contentDetails.relatedPlaylists.uploads;
    const items = (await yt(sb.url, `playlistItems?part=snippet&playlistId=${uploads}&maxResults=4`, token(ADA))).json.items as PlaylistItem[];
    const keys = items.map((i) => Object.keys(i.snippet.thumbnails).join(","));
    expect(keys).toContain("default,medium,high,standard,maxres");
    expect(keys).toContain("default,medium,high");
  });
});

interface Video {
  id: string;
  snippet: { title: string; channelId: string };
  contentDetails: { duration: string; caption: string; definition: string };
  statistics: { viewCount: string; likeCount?: string; favoriteCount: string; commentCount?: string };
}

describe("videos.list", () => {
  async function allIds(accountId: string): Promise<string[]> {
    const uploads = (await myChannel(accountId)).contentDetails.relatedPlaylists.uploads;
    const items = (await yt(sb.url, `playlistItems?part=contentDetails&playlistId=${uploads}&maxResults=50`, token(accountId))).json.items as PlaylistItem[];
    return items.map((i) => i.contentDetails.videoId);
  }

  it("snippet, ISO-8601 durations, statistics as strings; likeCount/commentCount absent when hidden/disabled; caption is a string", async () => {
    const ids = await allIds(ADA);
    const r = await yt(sb.url, `videos?part=snippet,contentDetails,statistics&id=${ids.join(",")}`, token(ADA));
    expect(r.status).toBe(200);
    const items = r.json.items as Video[];
    expect(items.map((v) => v.id)).toEqual(ids);
    expect(r.json.pageInfo).toEqual({ totalResults: 30, resultsPerPage: 30 });
    for (const v of items) {
      expect(v.contentDetails.duration).toMatch(/^P(\d+D)?T(\d+H)?(\d+M)?(\d+S)?$/);
      expect(v.contentDetails.caption).toBe("false");
      expect(v.statistics.viewCount).toMatch(/^\d+$/);
      expect(v.statistics.favoriteCount).toBe("0");
    }
    expect(items[3]?.contentDetails.duration).toBe("PT1H2M5S");
    expect(items[5]?.contentDetails.duration).toBe("PT45S");
    expect(items[6]?.statistics).not.toHaveProperty("likeCount");
    expect(items[4]?.statistics).not.toHaveProperty("commentCount");
    expect(items[0]?.statistics.likeCount).toMatch(/^\d+$/);
  });

  it("unknown ids are silently left out; other people's private videos too", async () => {
    const ids = await allIds(ADA);
    const r = await yt(sb.url, `videos?part=id&id=${ids[0]},nope1234567,${ids[2]}`, token(NORA));
    expect((r.json.items as Video[]).map((v) => v.id)).toEqual([ids[0]]);
  });

  it("video thumbnails are served by the sandbox", async () => {
    const ids = await allIds(ADA);
    const r = await yt(sb.url, `videos?part=snippet&id=${ids[0]}`, token(ADA));
    const url = ((r.json.items as { snippet: { thumbnails: { medium: { url: string } } } }[])[0]?.snippet.thumbnails.medium.url) ?? "";
    const img = await fetch(url);
    expect([img.status, img.headers.get("content-type")]).toEqual([200, "image/svg+xml"]);
  });

  it("more than 50 ids → 400; no id → missingRequiredParameter", async () => {
    const ids = Array.from({ length: 51 }, (_, i) => `v${String(i).padStart(10, "0")}`);
    expect((await yt(sb.url, `videos?part=id&id=${ids.join(",")}`, token(ADA))).status).toBe(400);
    expect(reason(await yt(sb.url, "videos?part=id", token(ADA)))).toBe("missingRequiredParameter");
  });
});

describe("auth and scopes", () => {
  it("no Authorization header → 401 required, UNAUTHENTICATED, WWW-Authenticate", async () => {
    const r = await yt(sb.url, "channels?part=id&mine=true");
    expect(r.status).toBe(401);
    expect(googleError(r)).toMatchObject({ code: 401, status: "UNAUTHENTICATED", errors: [{ reason: "required", domain: "global", location: "Authorization", locationType: "header" }] });
    expect(r.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("unknown, expired or revoked token → 401 authError with WWW-Authenticate error=invalid_token", async () => {
    const t = token(ADA);
    const unknown = await yt(sb.url, "channels?part=id&mine=true", "ya29.nope");
    expect(googleError(unknown)).toMatchObject({
      code: 401,
      message: expect.stringContaining("Request had invalid authentication credentials."),
      errors: [{ message: "Invalid Credentials", domain: "global", reason: "authError", location: "Authorization", locationType: "header" }],
      status: "UNAUTHENTICATED",
    });
    expect(unknown.headers.get("www-authenticate")).toBe('Bearer realm="https://accounts.google.com/", error="invalid_token"');
    sb.control.advanceTime(3599_000);
    expect(reason(await yt(sb.url, "channels?part=id&mine=true", t))).toBe("authError");
    const t2 = token(ADA);
    sb.control.revokeGrant(ADA);
    expect(reason(await yt(sb.url, "channels?part=id&mine=true", t2))).toBe("authError");
  });

  it("a token without a read scope (sign-in only, or youtube.upload only) → 403 insufficientPermissions, PERMISSION_DENIED, ErrorInfo", async () => {
    for (const scopes of ["openid email", UPLOAD]) {
      const r = await yt(sb.url, "channels?part=id&mine=true", token(ADA, scopes));
      expect(r.status).toBe(403);
      expect(googleError(r)).toMatchObject({
        code: 403,
        message: "Request had insufficient authentication scopes.",
        errors: [{ message: "Insufficient Permission", domain: "global", reason: "insufficientPermissions" }],
        status: "PERMISSION_DENIED",
        details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT" }],
      });
      expect(r.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    }
    // youtube (full) and force-ssl also read.
    for (const s of ["https://www.googleapis.com/auth/youtube", "https://www.googleapis.com/auth/youtube.force-ssl"]) {
      expect((await yt(sb.url, "channels?part=id&mine=true", token(ADA, s))).status).toBe(200);
    }
  });

  it("an unknown /youtube/v3 path → 404 in Google's envelope", async () => {
    const r = await yt(sb.url, "search?part=id", token(ADA));
    expect([r.status, googleError(r).code]).toEqual([404, 404]);
  });
});
