/**
 * Property-based tests of what SocialFlow reads from TikTok's OAuth endpoints (issue 7,
 * item 2; docs/security.md S19, S20): random statuses, content types and bodies — fc.json,
 * fc.anything, token objects whose fields have random types, truncated and oversized bodies,
 * transports that throw, hang or break mid-body — through TikTokOAuthService with a fake
 * `fetch`. Only our error classes may come out (never a TypeError), a success only for a
 * well-formed body, and no promise may be left rejected unhandled.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { randomBytes } from "node:crypto";
import { createTokenCipher, parseKeyring } from "@/lib/crypto";
import type { Database } from "@/lib/db/client";
import { createLogger } from "@/lib/log/logger";
import { OAuthProviderError, ProviderRequestError } from "@/lib/connections/errors";
import { OAUTH_ERROR_CODES, TikTokProvider } from "@/lib/providers/tiktok/oauth-provider";
import { ConnectionService } from "@/lib/connections/connection-service";
import { MAX_TOKEN_LIFETIME_S, tokenSchedule } from "@/lib/connections/token-schedule";
import { TikTokApiError } from "@/lib/providers/tiktok/api-errors";
import { sandboxTikTokConfig } from "../helpers/seed-accounts";

const MAX_RESPONSE_BYTES = 256 * 1024;
const KNOWN_OAUTH_ERRORS: readonly string[] = OAUTH_ERROR_CODES;
/** The longest token lifetime SocialFlow accepts (TikTok: 24 h access, 365 d refresh); ten years. */
const TEN_YEARS_S = MAX_TOKEN_LIFETIME_S;

// ---- what the provider "sends" --------------------------------------------------------------

type Transport =
  | { kind: "answer"; status: number; contentType: string | null; text: string }
  | { kind: "break_mid_body"; status: number; contentType: string; text: string }
  | { kind: "throw"; thrown: unknown }
  | { kind: "hang" };

const codePoints = (text: string) => [...text].length;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const isStr = (v: unknown, min: number, max: number): v is string => typeof v === "string" && codePoints(v) >= min && codePoints(v) <= max;

/**
 * Written from docs/security.md S19/S20 and https://developers.tiktok.com/doc/oauth-user-access-token-management, not from the parser: the flat token
 * success, from a 2xx JSON answer with no `error`, with a usable access token, a positive
 * integer lifetime, an open_id, and well-typed optional fields.
 */
function tokenOracle(t: Transport): { ok: true; body: Record<string, unknown> } | { ok: false } {
  if (t.kind !== "answer") return { ok: false };
  if (Buffer.byteLength(t.text) > MAX_RESPONSE_BYTES) return { ok: false };
  // Media types are case-insensitive (RFC 9110 §8.3.1).
  if (!(t.contentType ?? "").toLowerCase().includes("json")) return { ok: false };
  let body: unknown;
  try {
    body = JSON.parse(t.text);
  } catch {
    return { ok: false };
  }
  if (!isObject(body)) return { ok: false };
  // "An error body with HTTP 200 is an error" (S20): any error member makes it one.
  if (body.error !== undefined && body.error !== null && body.error !== "") return { ok: false };
  if (t.status < 200 || t.status > 299) return { ok: false };
  const optional = (key: string, check: (v: unknown) => boolean) => body[key] === undefined || check(body[key]);
  const ok =
    isStr(body.access_token, 1, 4096) &&
    isInt(body.expires_in, 1, TEN_YEARS_S) &&
    isStr(body.open_id, 1, 256) &&
    optional("refresh_token", (v) => isStr(v, 1, 4096)) &&
    optional("refresh_expires_in", (v) => isInt(v, 0, TEN_YEARS_S)) &&
    optional("scope", (v) => isStr(v, 0, 1024)) &&
    optional("token_type", (v) => typeof v === "string");
  return ok ? { ok: true, body } : { ok: false };
}

/** Either a plausible value for the field or anything at all. */
const field = <T>(plausible: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: plausible }, { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) });
const lifetime = fc.oneof(
  fc.integer({ min: -5, max: 100_000_000 }),
  fc.constantFrom(0, 1, 86_400, 31_536_000, TEN_YEARS_S, TEN_YEARS_S + 1, 8.64e12, 2 ** 53 - 1, 2 ** 53, 1.5, -0, 1e300),
  fc.double(),
);
const tokenText = fc.oneof(
  fc.stringMatching(/^act\.[A-Za-z0-9]{1,40}![0-9]{4}\.va$/),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom("", "x".repeat(4096), "x".repeat(4097)),
);
const tokenObject = fc.record(
  {
    access_token: field(tokenText),
    expires_in: field(lifetime),
    open_id: field(fc.oneof(fc.stringMatching(/^[a-z0-9-]{1,30}$/), fc.constantFrom("", "o".repeat(257)))),
    refresh_token: field(tokenText),
    refresh_expires_in: field(lifetime),
    scope: field(fc.oneof(fc.constantFrom("user.info.basic,video.list", "", "s".repeat(1025)), fc.string())),
    token_type: field(fc.constantFrom("Bearer", "bearer", "")),
    error: field(fc.constantFrom("", "invalid_grant", "access_denied", "server_error", "<b>x</b>")),
    error_description: field(fc.string()),
    log_id: field(fc.string()),
  },
  // Usually the four a success needs; sometimes anything may be missing.
  { requiredKeys: [] },
);
/** A body that is usually a valid success: plausible required fields, plausible optional ones. */
const likelySuccess = fc.record(
  {
    access_token: fc.stringMatching(/^act\.[A-Za-z0-9]{1,40}![0-9]{4}\.va$/),
    expires_in: fc.oneof(fc.integer({ min: 1, max: 400_000_000 }), fc.constantFrom(86_400, 7200)),
    open_id: fc.stringMatching(/^[a-z0-9-]{1,30}$/),
    refresh_token: fc.stringMatching(/^rft\.[A-Za-z0-9]{1,40}![0-9]{4}\.va$/),
    refresh_expires_in: fc.oneof(fc.nat({ max: 400_000_000 }), fc.constant(31_536_000)),
    scope: fc.constantFrom("user.info.basic", "user.info.basic,video.list", ""),
    token_type: fc.constant("Bearer"),
    error: fc.constantFrom<unknown>("", null, 0, false, true, 1, {}, [], { code: "access_token_invalid" }),
  },
  { requiredKeys: ["access_token", "expires_in", "open_id"] },
);

const bodyText = fc.oneof(
  { weight: 8, arbitrary: likelySuccess.map((o) => JSON.stringify(o)) },
  { weight: 4, arbitrary: tokenObject.map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.anything({ maxDepth: 3 }).map((v) => safeStringify(v)) },
  { weight: 1, arbitrary: fc.tuple(tokenObject, fc.nat()).map(([o, n]) => JSON.stringify(o).slice(0, n % 40)) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
  { weight: 1, arbitrary: fc.constantFrom("", "null", "[]", "[{}]", "0", '"str"', "{", "<!DOCTYPE html><p>oops</p>", "\uFEFF{}") },
  {
    weight: 1,
    arbitrary: fc.constant(JSON.stringify({ access_token: "act.big", expires_in: 3600, open_id: "o", pad: "p".repeat(MAX_RESPONSE_BYTES) })),
  },
);
const status = fc.oneof(
  { weight: 5, arbitrary: fc.constant(200) },
  { weight: 2, arbitrary: fc.constantFrom(201, 299, 301, 400, 401, 403, 404, 429, 500, 502, 503) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 599 }).filter((s) => ![204, 205, 304].includes(s)) },
);
const contentType = fc.oneof(
  { weight: 5, arbitrary: fc.constant("application/json; charset=utf-8") },
  {
    weight: 2,
    arbitrary: fc.constantFrom<string | null>(
      "application/json",
      "Application/JSON",
      "application/problem+json",
      "text/json",
      "text/plain",
      "text/html; charset=utf-8",
      "",
      null,
    ),
  },
);
const transport: fc.Arbitrary<Transport> = fc.oneof(
  { weight: 20, arbitrary: fc.record({ kind: fc.constant("answer" as const), status, contentType, text: bodyText }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("break_mid_body" as const), status, contentType: fc.constant("application/json"), text: bodyText }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("throw" as const), thrown: fc.anything({ maxDepth: 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("throw" as const), thrown: fc.constantFrom(new TypeError("fetch failed"), new Error("ECONNRESET")) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "hang" as const }) },
);

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}

/** A `fetch` that answers what the transport says, honouring the abort signal like the real one. */
function fakeFetch(t: Transport, seen: { calls: number }) {
  return async (_url: string, init: RequestInit): Promise<Response> => {
    seen.calls++;
    switch (t.kind) {
      case "throw":
        throw t.thrown;
      case "hang":
        return new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener("abort", () => reject(init.signal!.reason as Error), { once: true });
        });
      case "break_mid_body": {
        const bytes = Buffer.from(t.text);
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(bytes.subarray(0, Math.floor(bytes.length / 2)));
            controller.error(new TypeError("terminated"));
          },
        });
        return new Response(body, { status: t.status, headers: { "content-type": t.contentType } });
      }
      case "answer":
        return new Response(t.text, { status: t.status, headers: t.contentType === null ? {} : { "content-type": t.contentType } });
    }
  };
}

/** A database that fails the test if the parser ever touches it. */
const noDatabase = new Proxy({} as Database, {
  get(_target, prop) {
    throw new Error(`the token parser used the database (${String(prop)})`);
  },
});

describe("fuzz: TikTok OAuth response parsing", { timeout: 120_000 }, () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  const cipher = createTokenCipher(parseKeyring(`k1:${randomBytes(32).toString("base64")}`));
  const logger = createLogger({ level: "silent" });
  const service = (t: Transport, seen = { calls: 0 }) =>
    new ConnectionService({
      db: noDatabase,
      cipher,
      logger,
      provider: new TikTokProvider(sandboxTikTokConfig("http://127.0.0.1:9"), { fetch: fakeFetch(t, seen), timeoutMs: 25 }),
    });

  beforeAll(() => void process.on("unhandledRejection", onUnhandled));
  afterAll(() => void process.off("unhandledRejection", onUnhandled));

  /** Our errors only, with fixed messages: nothing of the body in them (S19). */
  function expectOurError(error: unknown, t: Transport, extra: readonly (new (...a: never[]) => Error)[] = []) {
    const classes = [OAuthProviderError, ProviderRequestError, ...extra];
    if (!classes.some((c) => error instanceof c)) {
      throw new Error(`unexpected ${error instanceof Error ? `${error.name}: ${error.message}` : typeof error} for ${JSON.stringify(t).slice(0, 300)}`);
    }
    const e = error as Error;
    expect(e.message).toMatch(/^(Provider request failed \((timeout|network|http_status|malformed_response)( \d+)?\)|Provider returned an OAuth error|TikTok call failed.*|TikTok API error.*)$/);
    if (e instanceof OAuthProviderError) expect([...KNOWN_OAUTH_ERRORS, "unknown_error"]).toContain(e.error);
  }

  it("token responses (code exchange and refresh): only our errors, a success exactly for well-formed bodies", async () => {
    let successes = 0;
    let failures = 0;
    await fc.assert(
      fc.asyncProperty(transport, fc.boolean(), async (t, refresh) => {
        const seen = { calls: 0 };
        const oauth = service(t, seen);
        const outcome = await (refresh ? oauth.provider.refresh("rft.x!1234.va") : oauth.provider.exchangeCode("code*0!1.va", "v".repeat(43))).then(
          (tokens) => ({ tokens }),
          (error: unknown) => ({ error }),
        );
        expect(seen.calls).toBe(1); // never retried
        const expected = tokenOracle(t);
        if ("error" in outcome) {
          expectOurError(outcome.error, t);
          expect(expected.ok, `rejected a well-formed body: ${JSON.stringify(t).slice(0, 300)}`).toBe(false);
          failures++;
          return;
        }
        expect(expected.ok, `accepted a malformed body: ${JSON.stringify(t).slice(0, 300)}`).toBe(true);
        const body = (expected as { body: Record<string, unknown> }).body;
        expect(outcome.tokens).toMatchObject({
          accessToken: body.access_token,
          refreshToken: body.refresh_token,
          expiresIn: body.expires_in,
          refreshExpiresIn: body.refresh_expires_in,
          providerUserId: body.open_id,
        });
        // Whatever is accepted can be stored: every date it schedules is a real date.
        const schedule = tokenSchedule(outcome.tokens, new Date());
        for (const date of [schedule.tokenExpiry, schedule.nextRefreshAt, schedule.refreshTokenExpiry ?? new Date()]) {
          expect(Number.isNaN(date.getTime()), "an accepted lifetime gives an invalid date").toBe(false);
        }
        successes++;
      }),
      { numRuns: 1500 },
    );
    expect(successes).toBeGreaterThan(50);
    expect(failures).toBeGreaterThan(50);
    await new Promise((r) => setTimeout(r, 50));
    expect(unhandled).toEqual([]);
  });

  it("revoke and user-info responses: only our errors, never a TypeError", async () => {
    await fc.assert(
      fc.asyncProperty(transport, fc.boolean(), async (t, revoke) => {
        const oauth = service(t);
        const outcome = await (revoke ? oauth.provider.revoke({ accessToken: "act.x!1234.va" }) : oauth.provider.fetchProfile("act.x!1234.va")).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
        if ("error" in outcome) {
          expectOurError(outcome.error, t, [TikTokApiError]);
          return;
        }
        // A success came from a 2xx-or-JSON answer that parsed; never from a failed transport.
        expect(t.kind).toBe("answer");
        if (revoke) expect((t as { status: number }).status).toBeLessThan(300);
        else {
          const profile = (outcome.value as { kind: "account"; profile: { providerUserId: string; displayName: string } }).profile;
          expect(typeof profile.providerUserId).toBe("string");
          expect(typeof profile.displayName).toBe("string");
        }
      }),
      { numRuns: 600 },
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(unhandled).toEqual([]);
  });
});
