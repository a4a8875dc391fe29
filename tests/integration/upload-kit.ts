/**
 * Shared steps of the upload integration tests: the real route handlers of issue #6, called as
 * a signed-in browser would (same-origin, session cookie), with the file streamed as the body.
 */
import { createReadStream } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { expect } from "vitest";
import { GET as listRoute, POST as startRoute } from "@/app/api/accounts/[accountId]/uploads/route";
import { GET as statusRoute } from "@/app/api/accounts/[accountId]/uploads/[uploadId]/route";
import { PUT as fileRoute } from "@/app/api/accounts/[accountId]/uploads/[uploadId]/file/route";
import { setUploadConfigForTests, type UploadConfig } from "@/lib/uploads/upload-config";
import { stopUploadRuntime } from "@/lib/uploads/runtime";
import type { UploadView } from "@/lib/uploads/upload-view";
import { APP_URL, type TestBrowser } from "../helpers/app-harness";

export const fixture = (name: string) => path.join(process.cwd(), "tests", "fixtures", name);
export const MB = 1024 * 1024;

export interface RouteAnswer {
  status: number;
  body: { upload?: UploadView; uploads?: UploadView[]; error?: string; code?: string };
  headers: Headers;
}

async function answer(response: Response): Promise<RouteAnswer> {
  return { status: response.status, body: (await response.json()) as RouteAnswer["body"], headers: response.headers };
}

const base = (accountId: string) => `${APP_URL}/api/accounts/${accountId}/uploads`;

/** Fast timings and a private temporary directory for one test file. */
export async function useTestUploadConfig(overrides: Partial<UploadConfig> = {}): Promise<{ tmpDir: string; cleanup(): Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), "sf-upload-test-"));
  const tmpDir = path.join(root, "socialflow-uploads");
  setUploadConfigForTests({ tmpDir, pollIntervalMs: 20, chunkRetryBaseMs: 5, chunkTimeoutMs: 2_000, ...overrides });
  return {
    tmpDir,
    async cleanup() {
      await stopUploadRuntime();
      setUploadConfigForTests(undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}

export async function startUpload(browser: TestBrowser, accountId: string, body: unknown, origin?: string | null): Promise<RouteAnswer> {
  const request = browser.request(base(accountId), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    origin,
  });
  return answer(await startRoute(request, { params: Promise.resolve({ accountId }) }));
}

/** PUT the file as a stream (never read whole), with or without Content-Length. */
export async function putFile(
  browser: TestBrowser,
  accountId: string,
  uploadId: string,
  filePath: string,
  options: { contentLength?: number | null; origin?: string | null } = {},
): Promise<RouteAnswer> {
  const size = (await stat(filePath)).size;
  const headers: Record<string, string> = { "content-type": "application/octet-stream" };
  const length = options.contentLength === undefined ? size : options.contentLength;
  if (length !== null) headers["content-length"] = String(length);
  const body = Readable.toWeb(createReadStream(filePath)) as ReadableStream<Uint8Array>;
  const request = browser.request(`${base(accountId)}/${uploadId}/file`, {
    method: "PUT",
    headers,
    body,
    origin: options.origin,
    duplex: "half",
  } as RequestInit & { origin?: string | null });
  return answer(await fileRoute(request, { params: Promise.resolve({ accountId, uploadId }) }));
}

export async function getUpload(browser: TestBrowser, accountId: string, uploadId: string): Promise<RouteAnswer> {
  const request = browser.request(`${base(accountId)}/${uploadId}`);
  return answer(await statusRoute(request, { params: Promise.resolve({ accountId, uploadId }) }));
}

export async function listUploads(browser: TestBrowser, accountId: string): Promise<RouteAnswer> {
  return answer(await listRoute(browser.request(base(accountId)), { params: Promise.resolve({ accountId }) }));
}

/** Announce, then send: the page's two requests. */
export async function uploadFile(
  browser: TestBrowser,
  accountId: string,
  filePath: string,
  announce: { mode?: "inbox" | "direct"; type?: string; post?: Record<string, unknown> } = {},
): Promise<{ started: RouteAnswer; sent: RouteAnswer; uploadId: string }> {
  const size = (await stat(filePath)).size;
  const started = await startUpload(browser, accountId, { mode: announce.mode ?? "inbox", size, ...announce });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const uploadId = started.body.upload!.id;
  const sent = await putFile(browser, accountId, uploadId, filePath);
  return { started, sent, uploadId };
}

/** Polls the status route (as the page does) until the upload is done. */
export async function waitUntilDone(browser: TestBrowser, accountId: string, uploadId: string, timeoutMs = 10_000): Promise<UploadView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await getUpload(browser, accountId, uploadId);
    if (body.upload?.done) return body.upload;
    if (Date.now() > deadline) throw new Error(`upload still ${body.upload?.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until `check` holds for the status route's view. */
export async function waitForUpload(
  browser: TestBrowser,
  accountId: string,
  uploadId: string,
  check: (view: UploadView) => boolean,
  timeoutMs = 10_000,
): Promise<UploadView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await getUpload(browser, accountId, uploadId);
    if (body.upload && check(body.upload)) return body.upload;
    if (Date.now() > deadline) throw new Error(`condition not met; upload is ${body.upload?.state}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The temporary directory holds no file: every upload cleaned up after itself. */
export async function expectNoTempFiles(tmpDir: string): Promise<void> {
  const names = await readdir(tmpDir).catch(() => [] as string[]);
  expect(names).toEqual([]);
}
