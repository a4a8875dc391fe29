/**
 * https://developers.tiktok.com/doc/content-posting-api-reference-upload-video: creator info, inbox and direct-post init, chunked upload rules, status, cancel,
 * unaudited-client rules, the pending-share cap.
 */
import { createHash } from "node:crypto";
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { sandboxForFile } from "../../kit/test-helpers";
import { AVA, BEN, CLEO, api, data, errorCode, start, type HttpResult } from "./helpers";

// Frozen base clock: status steps and the 1 h / 24 h windows move only via advanceTime.
const sb = sandboxForFile(() => start({ now: () => 1_780_000_000_000 }));

const MB = 1024 * 1024;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function token(openId: string, scopes = "user.info.basic,video.upload,video.publish"): string {
  return sb.control.issueTokensDirectly({ openId, scopes }).access_token;
}

function fileSource(videoSize: number, chunkSize = videoSize, totalChunkCount = Math.max(1, Math.floor(videoSize / chunkSize))) {
  return { source: "FILE_UPLOAD", video_size: videoSize, chunk_size: chunkSize, total_chunk_count: totalChunkCount };
}

async function inboxInit(t: string, source: unknown = fileSource(1 * MB)) {
  return api(sb.url, "/v2/post/publish/inbox/video/init/", { token: t, body: { source_info: source } });
}

async function directInit(t: string, postInfo: Record<string, unknown>, source: unknown = fileSource(1 * MB)) {
  return api(sb.url, "/v2/post/publish/video/init/", { token: t, body: { post_info: postInfo, source_info: source } });
}

function initData(r: HttpResult): { publish_id: string; upload_url: string } {
  expect(r.status, r.text).toBe(200);
  expect(errorCode(r)).toBe("ok");
  return data<{ publish_id: string; upload_url: string }>(r);
}

async function put(uploadUrl: string, body: Uint8Array<ArrayBuffer>, range: string | undefined, contentType = "video/mp4"): Promise<number> {
  const headers: Record<string, string> = { "content-type": contentType };
  if (range !== undefined) headers["content-range"] = range;
  const res = await fetch(uploadUrl, { method: "PUT", headers, body });
  await res.arrayBuffer();
  return res.status;
}

async function status(t: string, publishId: string) {
  const r = await api(sb.url, "/v2/post/publish/status/fetch/", { token: t, body: { publish_id: publishId } });
  return { r, d: data<{ status: string; fail_reason?: string; uploaded_bytes?: number; publicaly_available_post_id?: number[] }>(r) };
}

function bytes(n: number, seed = 7): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i += 4096) b[i] = (i / 4096 + seed) & 0xff;
  return b;
}

describe("§5 creator info", () => {
  it("§5 creator info per user: privacy options, max duration, interaction flags", async () => {
    const a = data<Record<string, unknown>>(await api(sb.url, "/v2/post/publish/creator_info/query/", { token: token(AVA), method: "POST" }));
    expect(a).toMatchObject({
      creator_nickname: "Ava Sandbox",
      creator_username: "ava.sandbox",
      creator_avatar_url: expect.stringMatching(/^https:\/\//),
      privacy_level_options: ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"],
      max_video_post_duration_sec: 600,
      comment_disabled: false,
      duet_disabled: false,
      stitch_disabled: false,
    });
    const b = data<Record<string, unknown>>(await api(sb.url, "/v2/post/publish/creator_info/query/", { token: token(BEN), method: "POST" }));
    expect(b).toMatchObject({ privacy_level_options: ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"], max_video_post_duration_sec: 180 });
  });

  it("§5 creator info and direct post need video.publish; inbox needs video.upload (scope_not_authorized 401)", async () => {
    const uploadOnly = token(AVA, "user.info.basic,video.upload");
    const r = await api(sb.url, "/v2/post/publish/creator_info/query/", { token: uploadOnly, method: "POST" });
    expect([r.status, errorCode(r)]).toEqual([401, "scope_not_authorized"]);
    const d = await directInit(uploadOnly, { privacy_level: "SELF_ONLY" });
    expect([d.status, errorCode(d)]).toEqual([401, "scope_not_authorized"]);
    const i = await inboxInit(token(AVA, "user.info.basic,video.publish"));
    expect([i.status, errorCode(i)]).toEqual([401, "scope_not_authorized"]);
  });
});

describe("§5 init validation", () => {
  const cases: [string, unknown][] = [
    ["chunk_size under 5 MB for a 12 MB file", fileSource(12 * MB, 4 * MB, 3)],
    ["chunk_size over 64 MB", fileSource(200 * MB, 65 * MB, 3)],
    ["total_chunk_count not floor(video_size / chunk_size)", fileSource(12 * MB, 5 * MB, 3)],
    ["a file under 5 MB split into chunks", fileSource(4 * MB, 2 * MB, 2)],
    ["a file over 4 GB", fileSource(4 * 1024 * MB + 1, 64 * MB, 64)],
    ["missing source_info fields", { source: "FILE_UPLOAD", video_size: 10 }],
    ["unknown source", { source: "CARRIER_PIGEON" }],
  ];
  for (const [name, source] of cases) {
    it(`§5 init chunk rules → invalid_params: ${name}`, async () => {
      const r = await inboxInit(token(AVA), source);
      expect([r.status, errorCode(r)]).toEqual([400, "invalid_params"]);
    });
  }

  it("§5 init accepts valid plans: one chunk under 5 MB, floor() chunking with a bigger last chunk", async () => {
    const t = token(AVA);
    initData(await inboxInit(t, fileSource(3 * MB)));
    initData(await inboxInit(t, fileSource(12 * MB, 5 * MB, 2)));
    initData(await inboxInit(t, fileSource(100 * MB, 64 * MB, 1))); // last (only) chunk 100 MB ≤ 128 MB
  });

  it("§5 direct post: privacy_level must be one of the creator's options (else 403 privacy_level_option_mismatch); title ≤ 2200", async () => {
    const t = token(AVA);
    const mismatch = await directInit(t, { privacy_level: "FOLLOWER_OF_CREATOR" });
    expect([mismatch.status, errorCode(mismatch)]).toEqual([403, "privacy_level_option_mismatch"]);
    const long = await directInit(t, { privacy_level: "SELF_ONLY", title: "x".repeat(2201) });
    expect([long.status, errorCode(long)]).toEqual([400, "invalid_params"]);
    initData(await directInit(t, { privacy_level: "SELF_ONLY", title: "x".repeat(2200) }));
    const missing = await directInit(t, {});
    expect(errorCode(missing)).toBe("invalid_params");
  });

  it("§5 PULL_FROM_URL: unverified domain → url_ownership_unverified 403; verified → PROCESSING_DOWNLOAD then done", async () => {
    const t = token(AVA);
    const pull = { source: "PULL_FROM_URL", video_url: "https://media.example.com/v.mp4" };
    const r = await inboxInit(t, pull);
    expect([r.status, errorCode(r)]).toEqual([403, "url_ownership_unverified"]);
    sb.control.setOptions({ verifiedDomains: ["example.com"] });
    const ok = data<{ publish_id: string; upload_url?: string }>(await inboxInit(t, pull));
    expect(ok.upload_url).toBeUndefined();
    expect((await status(t, ok.publish_id)).d.status).toBe("PROCESSING_DOWNLOAD");
    sb.control.advanceTime(1_500);
    expect((await status(t, ok.publish_id)).d.status).toBe("PROCESSING_UPLOAD");
    sb.control.advanceTime(1_500);
    expect((await status(t, ok.publish_id)).d.status).toBe("SEND_TO_USER_INBOX");
  });
});

describe("§5 chunk upload", () => {
  it("§5 upload 201: one small chunk completes; status PROCESSING_UPLOAD → SEND_TO_USER_INBOX; sha256 matches", async () => {
    const t = token(AVA);
    const body = bytes(1 * MB);
    const { publish_id, upload_url } = initData(await inboxInit(t, fileSource(body.length)));
    expect(upload_url.startsWith(`${sb.url}/upload/`)).toBe(true);
    const before = await status(t, publish_id);
    expect(before.r.json.error).toMatchObject({ code: "ok" });
    expect(before.d).toMatchObject({ status: "PROCESSING_UPLOAD", uploaded_bytes: 0 });
    expect(await put(upload_url, body, `bytes 0-${body.length - 1}/${body.length}`)).toBe(201);
    expect((await status(t, publish_id)).d).toMatchObject({ status: "PROCESSING_UPLOAD", uploaded_bytes: body.length });
    sb.control.advanceTime(1_500);
    expect((await status(t, publish_id)).d).toMatchObject({ status: "SEND_TO_USER_INBOX", publicaly_available_post_id: [] });
    expect(sb.control.upload(publish_id)?.sha256).toBe(createHash("sha256").update(body).digest("hex"));
  });

  it("§5 upload 206 then 201: chunks in order, the last chunk takes the remainder", async () => {
    const t = token(AVA);
    const size = 12 * MB;
    const body = bytes(size);
    const { publish_id, upload_url } = initData(await inboxInit(t, fileSource(size, 5 * MB, 2)));
    expect(await put(upload_url, body.subarray(0, 5 * MB), `bytes 0-${5 * MB - 1}/${size}`)).toBe(206);
    expect((await status(t, publish_id)).d.uploaded_bytes).toBe(5 * MB);
    expect(await put(upload_url, body.subarray(5 * MB), `bytes ${5 * MB}-${size - 1}/${size}`, "video/quicktime")).toBe(201);
    expect(sb.control.upload(publish_id)).toMatchObject({ receivedBytes: size, chunksReceived: 2, totalChunkCount: 2, sha256: createHash("sha256").update(body).digest("hex") });
  });

  it("§5 upload 400: wrong Content-Type, missing or malformed Content-Range, Content-Length not matching the range", async () => {
    const t = token(AVA);
    const body = bytes(1 * MB);
    const { upload_url } = initData(await inboxInit(t, fileSource(body.length)));
    const range = `bytes 0-${body.length - 1}/${body.length}`;
    expect(await put(upload_url, body, range, "application/octet-stream")).toBe(400);
    expect(await put(upload_url, body, undefined)).toBe(400);
    expect(await put(upload_url, body, `0-${body.length - 1}/${body.length}`)).toBe(400);
    expect(await put(upload_url, body.subarray(1), range)).toBe(400);
    expect(await put(upload_url, body, range, "video/webm")).toBe(201);
  });

  it("§5 upload 416: wrong order, gap, overlap, wrong total, after completion", async () => {
    const t = token(AVA);
    const size = 11 * MB;
    const body = bytes(size);
    const { upload_url } = initData(await inboxInit(t, fileSource(size, 5 * MB, 2)));
    const second = body.subarray(5 * MB);
    expect(await put(upload_url, second, `bytes ${5 * MB}-${size - 1}/${size}`)).toBe(416); // wrong order
    expect(await put(upload_url, body.subarray(0, 5 * MB), `bytes 0-${5 * MB - 1}/${size + 1}`)).toBe(416); // wrong total
    expect(await put(upload_url, body.subarray(0, 4 * MB), `bytes 0-${4 * MB - 1}/${size}`)).toBe(416); // short non-last chunk
    expect(await put(upload_url, body.subarray(0, 5 * MB), `bytes 0-${5 * MB - 1}/${size}`)).toBe(206);
    expect(await put(upload_url, body.subarray(0, 5 * MB), `bytes 0-${5 * MB - 1}/${size}`)).toBe(416); // overlap (resend)
    expect(await put(upload_url, body.subarray(5 * MB + 1), `bytes ${5 * MB + 1}-${size - 1}/${size}`)).toBe(416); // gap
    expect(await put(upload_url, second, `bytes ${5 * MB}-${size - 1}/${size}`)).toBe(201);
    expect(await put(upload_url, second, `bytes ${5 * MB}-${size - 1}/${size}`)).toBe(416); // already complete
  });

  it("§5 upload 403: the upload URL expires after 1 hour (sandbox clock)", async () => {
    const t = token(AVA);
    const body = bytes(1 * MB);
    const { upload_url } = initData(await inboxInit(t, fileSource(body.length)));
    sb.control.advanceTime(HOUR);
    expect(await put(upload_url, body, `bytes 0-${body.length - 1}/${body.length}`)).toBe(403);
  });

  it("§5 upload 404: unknown upload id or wrong upload token", async () => {
    const t = token(AVA);
    const body = bytes(1 * MB);
    const { upload_url } = initData(await inboxInit(t, fileSource(body.length)));
    const range = `bytes 0-${body.length - 1}/${body.length}`;
    expect(await put(`${sb.url}/upload/deadbeef?upload_token=x`, body, range)).toBe(404);
    const u = new URL(upload_url);
    u.searchParams.set("upload_token", "forged");
    expect(await put(u.toString(), body, range)).toBe(404);
  });

  it("§5 upload: a chunk cut off mid-body is not counted; resending it succeeds and the hash is intact", async () => {
    const t = token(AVA);
    const body = bytes(2 * MB);
    const { publish_id, upload_url } = initData(await inboxInit(t, fileSource(body.length)));
    const u = new URL(upload_url);
    await new Promise<void>((resolve) => {
      const req = request({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method: "PUT", headers: { "content-type": "video/mp4", "content-length": body.length, "content-range": `bytes 0-${body.length - 1}/${body.length}` } });
      req.on("error", () => resolve());
      req.write(body.subarray(0, 512 * 1024), () => {
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 50);
      });
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(sb.control.upload(publish_id)?.receivedBytes).toBe(0);
    expect(await put(upload_url, body, `bytes 0-${body.length - 1}/${body.length}`)).toBe(201);
    expect(sb.control.upload(publish_id)?.sha256).toBe(createHash("sha256").update(body).digest("hex"));
  });
});

describe("§5 status", () => {
  it("§5 direct post: PUBLISH_COMPLETE with a public post id for PUBLIC_TO_EVERYONE", async () => {
    const t = token(AVA);
    const body = bytes(1 * MB);
    const { publish_id, upload_url } = initData(await directInit(t, { privacy_level: "PUBLIC_TO_EVERYONE", title: "hi #sandbox" }, fileSource(body.length)));
    await put(upload_url, body, `bytes 0-${body.length - 1}/${body.length}`);
    sb.control.advanceTime(1_499);
    expect((await status(t, publish_id)).d.status).toBe("PROCESSING_UPLOAD");
    sb.control.advanceTime(1);
    const done = (await status(t, publish_id)).d;
    expect(done.status).toBe("PUBLISH_COMPLETE");
    expect(done.publicaly_available_post_id).toHaveLength(1);
  });

  it("§5 FAILED with fail_reason arrives with error.code ok (failUpload)", async () => {
    const t = token(AVA);
    const body = bytes(1 * MB);
    const { publish_id, upload_url } = initData(await inboxInit(t, fileSource(body.length)));
    sb.control.failUpload(publish_id, "file_format_check_failed");
    expect((await status(t, publish_id)).d.status).toBe("PROCESSING_UPLOAD");
    await put(upload_url, body, `bytes 0-${body.length - 1}/${body.length}`);
    sb.control.advanceTime(1_500);
    const { r, d } = await status(t, publish_id);
    expect(r.status).toBe(200);
    expect(errorCode(r)).toBe("ok");
    expect(d).toMatchObject({ status: "FAILED", fail_reason: "file_format_check_failed" });
  });

  it("§5 failUpload after completion: the next status is FAILED", async () => {
    const t = token(AVA);
    const body = bytes(1 * MB);
    const { publish_id, upload_url } = initData(await inboxInit(t, fileSource(body.length)));
    await put(upload_url, body, `bytes 0-${body.length - 1}/${body.length}`);
    sb.control.advanceTime(10_000);
    expect((await status(t, publish_id)).d.status).toBe("SEND_TO_USER_INBOX");
    sb.control.failUpload(publish_id, "auth_removed");
    expect((await status(t, publish_id)).d).toMatchObject({ status: "FAILED", fail_reason: "auth_removed" });
  });

  it("§5 statusStepMs option controls processing time", async () => {
    sb.control.setOptions({ statusStepMs: 0 });
    const t = token(AVA);
    const body = bytes(1 * MB);
    const { publish_id, upload_url } = initData(await inboxInit(t, fileSource(body.length)));
    await put(upload_url, body, `bytes 0-${body.length - 1}/${body.length}`);
    expect((await status(t, publish_id)).d.status).toBe("SEND_TO_USER_INBOX");
  });

  it("§5 cancel: FAILED publish_cancelled, further chunks 403; a finished publish cannot be cancelled", async () => {
    const t = token(AVA);
    const body = bytes(1 * MB);
    const a = initData(await inboxInit(t, fileSource(body.length)));
    const c = await api(sb.url, "/v2/post/publish/cancel/", { token: t, body: { publish_id: a.publish_id } });
    expect(errorCode(c)).toBe("ok");
    expect((await status(t, a.publish_id)).d).toMatchObject({ status: "FAILED", fail_reason: "publish_cancelled" });
    expect(await put(a.upload_url, body, `bytes 0-${body.length - 1}/${body.length}`)).toBe(403);
    const b = initData(await inboxInit(t, fileSource(body.length)));
    await put(b.upload_url, body, `bytes 0-${body.length - 1}/${body.length}`);
    sb.control.advanceTime(1_500);
    expect(errorCode(await api(sb.url, "/v2/post/publish/cancel/", { token: t, body: { publish_id: b.publish_id } }))).toBe("invalid_params");
  });

  it("§5 status of an unknown or another user's publish_id → invalid_params", async () => {
    const t = token(AVA);
    const { publish_id } = initData(await inboxInit(t));
    expect(errorCode((await status(token(BEN), publish_id)).r)).toBe("invalid_params");
    expect(errorCode((await status(t, "v_pub_file~nope")).r)).toBe("invalid_params");
  });

  it("§5 status rate limit: 30/min per token", async () => {
    const t = token(AVA);
    const { publish_id } = initData(await inboxInit(t));
    for (let i = 0; i < 30; i++) expect((await status(t, publish_id)).r.status).toBe(200);
    expect(errorCode((await status(t, publish_id)).r)).toBe("rate_limit_exceeded");
  });
});

describe("§5 posting limits", () => {
  it("§5 pending-share cap: the 6th inbox upload in 24 h → spam_risk_too_many_pending_share 403; failed ones do not count", async () => {
    sb.control.setOptions({ rateLimits: { inbox_init: 100 } });
    const t = token(CLEO);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(initData(await inboxInit(t)).publish_id);
    const sixth = await inboxInit(t);
    expect([sixth.status, errorCode(sixth)]).toEqual([403, "spam_risk_too_many_pending_share"]);
    // Another user is not affected.
    initData(await inboxInit(token(AVA)));
    // A cancelled share is no longer pending.
    await api(sb.url, "/v2/post/publish/cancel/", { token: t, body: { publish_id: ids[0] } });
    initData(await inboxInit(t));
    expect(errorCode(await inboxInit(t))).toBe("spam_risk_too_many_pending_share");
    sb.control.advanceTime(DAY);
    initData(await inboxInit(token(CLEO))); // (the old access token expired with the day)
  });

  it("§5 inbox init rate limit: 6/min per token", async () => {
    const t = token(AVA);
    sb.control.advanceTime(0);
    for (let i = 0; i < 5; i++) initData(await inboxInit(t));
    // The 6th is within the rate limit but hits the pending-share cap; raise nothing, just check 429 at the 7th.
    expect(errorCode(await inboxInit(t))).toBe("spam_risk_too_many_pending_share");
    const r = await inboxInit(t);
    expect([r.status, errorCode(r)]).toEqual([429, "rate_limit_exceeded"]);
  });

  it("§5 unaudited client: private accounts only, SELF_ONLY only, at most 5 users a day", async () => {
    sb.control.setOptions({ clients: [{ ...sb.control.options().clients[0]!, audited: false }] });
    const pub = await directInit(token(AVA), { privacy_level: "SELF_ONLY" });
    expect([pub.status, errorCode(pub)]).toEqual([403, "unaudited_client_can_only_post_to_private_accounts"]);
    const ben = token(BEN);
    const followers = await directInit(ben, { privacy_level: "FOLLOWER_OF_CREATOR" });
    expect([followers.status, errorCode(followers)]).toEqual([403, "privacy_level_option_mismatch"]);
    initData(await directInit(ben, { privacy_level: "SELF_ONLY" }));
    for (let i = 1; i <= 4; i++) initData(await directInit(token(`load-private-${i}`), { privacy_level: "SELF_ONLY" }));
    const sixth = await directInit(token("load-private-6"), { privacy_level: "SELF_ONLY" });
    expect([sixth.status, errorCode(sixth)]).toEqual([403, "reached_active_user_cap"]);
    // A user already active today can keep posting.
    initData(await directInit(ben, { privacy_level: "SELF_ONLY" }));
    sb.control.advanceTime(DAY);
    initData(await directInit(token("load-private-6"), { privacy_level: "SELF_ONLY" }));
  });

  it("§5 inbox uploads are not subject to the unaudited direct-post rules", async () => {
    sb.control.setOptions({ clients: [{ ...sb.control.options().clients[0]!, audited: false }] });
    initData(await inboxInit(token(AVA)));
  });
});
