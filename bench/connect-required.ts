/**
 * The required connect flow: the minimal flow (bench/connect-floor.ts) plus the work any connect
 * of a multi-user web app must do besides its I/O, written as leanly as Node allows and with none
 * of SocialFlow's code. Its rate against the sandbox-only flow's is about the best flows ratio a
 * product that keeps this project's rules (docs/security.md) can reach in that run; the gap from it to SocialFlow's
 * ratio is what SocialFlow's own design and code cost.
 *
 * What it adds to the minimal flow, and why each is required:
 * - Both steps are HTTP requests to the app: a Web `Request` in, a Web `Response` out, as every
 *   Next.js route handler takes and answers (the browser's side, cookies included, is the bench's
 *   TestBrowser, as in SocialFlow's flow).
 * - Both check the browser's signed session cookie: one HMAC-SHA256 and an expiry, the least a
 *   session check can be (no database read, as with a cookie cache).
 * - The authorize POST checks its Origin (CSRF), binds the state to this browser with a random
 *   cookie, stores the state and that binding as SHA-256 digests and the PKCE verifier encrypted
 *   (AES-256-GCM, bound to the state): a dump of the states table can neither be replayed nor
 *   finish someone's connect (one binding per browser, reused, as SocialFlow's).
 * - The callback validates its query with zod, compares the binding in constant time, decrypts
 *   the verifier, validates TikTok's two answers with zod (a provider answer is untrusted input),
 *   and stores both tokens AES-256-GCM-encrypted (random IV, bound to the account) before it
 *   redirects.
 *
 * What SocialFlow does beyond it, left out here: reading who holds the account before the
 * write (its ciphertext is bound to the row id), the connection event, the request context and
 * logging, rate limits, key ids and envelope versions, profile sanitising, the error pages.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { APP_URL, decideAtSandbox, type TestBrowser } from "../tests/helpers/app-harness";
import { exchangeAtSandbox, send, storeAccount, tiktokAuthorizeRequest, type FloorDatabase, type MinimalCallbackTiming, type RawQuery } from "./connect-floor";

/** The required flow's state rows. */
const REQUIRED_STATES_TABLE = `create table bench_required_states (
  state_hash text primary key,
  user_id text not null,
  binding_hash text not null,
  verifier text not null,
  created_at timestamptz not null
)`;

const SESSION_COOKIE = "bench_session";
const BINDING_COOKIE = "bench_binding";

/** The required flow's keys, made once per process like an app's: one for sessions, one for tokens. */
const sessionKey = randomBytes(32);
const tokenKey = randomBytes(32);

const sha256 = (value: string) => createHash("sha256").update(value).digest("base64url");

/** AES-256-GCM with a random 96-bit IV (NIST SP 800-38D), `iv.ciphertext.tag` in base64url. */
function seal(plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", tokenKey, iv).setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${iv.toString("base64url")}.${body.toString("base64url")}.${cipher.getAuthTag().toString("base64url")}`;
}

function open(sealed: string, aad: string): string {
  const [iv, body, tag] = sealed.split(".");
  const decipher = createDecipheriv("aes-256-gcm", tokenKey, Buffer.from(iv!, "base64url")).setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(tag!, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body!, "base64url")), decipher.final()]).toString("utf8");
}

/** A signed session cookie value for `userId`: `userId.expiresAtMs.mac`. */
export function requiredSessionCookie(userId: string): string {
  const payload = `${userId}.${Date.now() + 3_600_000}`;
  return `${SESSION_COOKIE}=${payload}.${createHmac("sha256", sessionKey).update(payload).digest("base64url")}`;
}

function cookieValue(header: string | null, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The signed-in user, or undefined: the MAC checked in constant time, then the expiry. */
function sessionUser(request: Request): string | undefined {
  const value = cookieValue(request.headers.get("cookie"), SESSION_COOKIE);
  const cut = value?.lastIndexOf(".") ?? -1;
  if (!value || cut < 0) return undefined;
  const payload = value.slice(0, cut);
  if (!sameText(value.slice(cut + 1), createHmac("sha256", sessionKey).update(payload).digest("base64url"))) return undefined;
  const [userId, expiresAt] = payload.split(".");
  return Number(expiresAt) > Date.now() ? userId : undefined;
}

const callbackQuery = z.object({ code: z.string().min(1).max(2048), state: z.string().min(1).max(256) });
const tokenAnswer = z.object({
  access_token: z.string().min(1).max(4096),
  refresh_token: z.string().min(1).max(4096),
  open_id: z.string().min(1).max(256),
  scope: z.string().max(1024),
  expires_in: z.number().int().positive(),
  refresh_expires_in: z.number().int().positive(),
});
const userInfoAnswer = z.object({
  data: z.object({ user: z.object({ open_id: z.string().min(1).max(256), display_name: z.string().max(256), avatar_url: z.string().max(2048).optional() }) }),
});

/** The required flow's two routes on one database; their own time is measured like SocialFlow's callback. */
export function requiredRoutes(db: FloorDatabase, sandboxUrl: string, redirectUri: string) {
  const flow = "required flow";
  return {
    async authorize(request: Request): Promise<Response> {
      if (request.headers.get("origin") !== APP_URL) return Response.json({ code: "forbidden" }, { status: 403 });
      const userId = sessionUser(request);
      if (!userId) return Response.json({ code: "unauthorized" }, { status: 401 });
      const authorize = tiktokAuthorizeRequest(sandboxUrl, redirectUri);
      // One binding per browser, made on its first connect, so two tabs share it (as SocialFlow's).
      const existing = cookieValue(request.headers.get("cookie"), BINDING_COOKIE);
      const binding = existing ?? randomBytes(32).toString("base64url");
      const stateHash = sha256(authorize.state);
      await send(db, "required_state_put", `insert into bench_required_states (state_hash, user_id, binding_hash, verifier, created_at) values ($1, $2, $3, $4, now())`, [
        stateHash,
        userId,
        sha256(binding),
        seal(authorize.verifier, stateHash),
      ]);
      if (existing) return Response.json({ url: authorize.url });
      const cookie = `${BINDING_COOKIE}=${binding}; Path=/api/oauth; HttpOnly; Secure; SameSite=Lax; Max-Age=86400`;
      return Response.json({ url: authorize.url }, { headers: { "set-cookie": cookie } });
    },

    /** The callback, and its own timing: from its start to its answer, and TikTok's part of it. */
    async callback(request: Request): Promise<{ response: Response; timing: MinimalCallbackTiming }> {
      const started = performance.now();
      const query = callbackQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
      const userId = sessionUser(request);
      const binding = cookieValue(request.headers.get("cookie"), BINDING_COOKIE);
      if (!query.success || !userId || !binding) throw new Error(`${flow}: callback refused`);
      const stateHash = sha256(query.data.state);
      const consumed = await send(db, "required_state_consume", `delete from bench_required_states where state_hash = $1 returning user_id, binding_hash, verifier`, [stateHash]);
      const row = consumed.rows[0] as { user_id: string; binding_hash: string; verifier: string } | undefined;
      if (!row || row.user_id !== userId || !sameText(row.binding_hash, sha256(binding))) throw new Error(`${flow}: state refused`);
      const verifier = open(row.verifier, stateHash);
      const exchangeStarted = performance.now();
      const answers = await exchangeAtSandbox(sandboxUrl, query.data.code, verifier, redirectUri, flow);
      const tiktokMs = performance.now() - exchangeStarted;
      const tokens = tokenAnswer.safeParse(answers.tokens);
      const info = userInfoAnswer.safeParse(answers.userInfo);
      if (!tokens.success || !info.success || info.data.data.user.open_id !== tokens.data.open_id) throw new Error(`${flow}: TikTok's answers refused`);
      const user = info.data.data.user;
      const bound = `TIKTOK:${user.open_id}`;
      const stored = await storeAccount(db, {
        openId: user.open_id,
        userId,
        displayName: user.display_name,
        avatarUrl: user.avatar_url ?? null,
        scopes: tokens.data.scope,
        accessToken: seal(tokens.data.access_token, bound),
        refreshToken: seal(tokens.data.refresh_token, bound),
        expiresInSec: tokens.data.expires_in,
        refreshExpiresInSec: tokens.data.refresh_expires_in,
      });
      if (!stored) throw new Error(`${flow}: account held by another user`);
      const response = new Response(null, { status: 302, headers: { location: `${APP_URL}/settings/accounts?success=tiktok` } });
      return { response, timing: { totalMs: performance.now() - started, tiktokMs } };
    },
  };
}

/** One required connect: the browser asks to connect, consents at the sandbox, follows the callback. */
export async function requiredConnectFlow(routes: ReturnType<typeof requiredRoutes>, browser: TestBrowser, openId: string): Promise<MinimalCallbackTiming> {
  const started = await routes.authorize(browser.request(`${APP_URL}/api/oauth/tiktok/authorize`, { method: "POST" }));
  if (started.status !== 200) throw new Error(`required flow: authorize answered ${started.status}`);
  browser.absorb(started.headers.getSetCookie());
  const { url } = (await started.json()) as { url: string };
  const callbackUrl = await decideAtSandbox(url, { openId });
  const { response, timing } = await routes.callback(browser.request(callbackUrl));
  if (response.status !== 302) throw new Error(`required flow: callback answered ${response.status}`);
  return timing;
}

/** The required flow's own table, beside the minimal flow's (same throwaway database). */
export async function createRequiredTables(db: RawQuery): Promise<void> {
  await db.query(REQUIRED_STATES_TABLE);
}
