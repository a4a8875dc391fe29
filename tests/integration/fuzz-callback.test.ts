import { callbackRoute } from "../helpers/oauth-routes";
/**
 * Property-based tests of the REAL callback route handler (issue 7, item 2): random and
 * malformed query strings — repeated parameters, oversized values, odd percent-encodings,
 * unicode, empty values, missing parts — from a signed-in browser.
 *
 * Every answer is checked against a small model of the callback contract (docs/security.md
 * S4–S16, S40): a 303 to `${APP_URL}/settings/accounts?error=<fixed code>` (or `?success=…`
 * only for the one well-formed query), or a 400 for an oversized one; never a 500, never an
 * exception, never anything from the query in the Location, and a token call only for the
 * browser's own valid state.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { CALLBACK_LIMITS } from "@/lib/connections/callback-params";
import { CALLBACK_ERROR_CODES, type CallbackErrorCode } from "@/lib/connections/errors";
import { metricsSnapshot } from "@/lib/observability/metrics";
import { APP_URL, REDIRECT_URI, decideAtSandbox, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { startConnect } from "../helpers/connect-flow";
import { captureLogs, type LogCapture } from "../helpers/log-capture";
import { accountRowsOf, clearAccounts, stateOf, stateRowsOf } from "../helpers/security-kit";

const ACCOUNTS_PAGE = `${APP_URL}/settings/accounts`;
const SINGLE_VALUED = ["state", "code", "error", "error_description", "scopes"] as const;
const VALUE_LIMITS: Record<(typeof SINGLE_VALUED)[number], number> = {
  state: CALLBACK_LIMITS.state,
  code: CALLBACK_LIMITS.code,
  error: CALLBACK_LIMITS.error,
  error_description: CALLBACK_LIMITS.errorDescription,
  scopes: CALLBACK_LIMITS.scopes,
};

type Expected = { status: 400 } | { status: 303; error: CallbackErrorCode } | { status: 303; success: true };

/**
 * What the callback must answer for `requestUrl` (as the handler receives it), for a signed-in
 * browser whose one pending flow has `real.state` (and, once approved, `real.code`).
 * Written from docs/security.md, independently of the handler's code.
 */
function model(requestUrl: string, real: { state: string; code?: string }, bound: boolean): { expected: Expected; tokenCall: boolean } {
  const no = (expected: Expected) => ({ expected, tokenCall: false });
  if (requestUrl.length > CALLBACK_LIMITS.url) return no({ status: 400 }); // S11
  const params = new URL(requestUrl).searchParams;
  if (SINGLE_VALUED.some((name) => params.getAll(name).length > 1)) return no({ status: 303, error: "invalid_request" }); // S10
  for (const name of SINGLE_VALUED) {
    // Limits count code points (zod's max()); the 4096-character URL bound caps the bytes.
    const value = params.get(name);
    if (value && [...value].length > VALUE_LIMITS[name]) return no({ status: 400 }); // S11
  }
  const state = params.get("state") || undefined;
  if (!state) return no({ status: 303, error: "missing_params" }); // S4
  if (!bound || state !== real.state) return no({ status: 303, error: "invalid_state" }); // S5, S8
  const error = params.get("error") || undefined;
  if (error) return no({ status: 303, error: error === "access_denied" ? "access_denied" : "provider_error" }); // S14
  const code = params.get("code") || undefined;
  if (!code) return no({ status: 303, error: "missing_params" }); // S15
  // A token call: the real code succeeds, anything else is refused by TikTok (S16).
  return { expected: code === real.code ? { status: 303, success: true } : { status: 303, error: "token_exchange_failed" }, tokenCall: true };
}

// ---- arbitraries ----------------------------------------------------------------------------

const ODD_PIECES = [
  "%", "%%", "%Z1", "%2", "%00", "%0A", "%0D%0A", "%E2%82", "%C0%AF", "%FF%FE", "%u0041", "%252F", "%2526state%253Dx",
  "+", "%2B", "&", "=", "==", "#", ";", "?", "/", "\\", "\u202E", "\u0000", "\uFEFF", "..%2F", "%F0%9F%92%A9", "\uD800",
  "<script>", "\"'", "javascript:", "https://evil.example/", "//evil.example", "%2F%2Fevil.example",
];
const oddText = fc.array(fc.constantFrom(...ODD_PIECES), { minLength: 1, maxLength: 6 }).map((a) => a.join(""));
/** Values whose length crosses the limits (state 128, error 64, code/scopes 1024, URL 4096). */
const oversized = fc
  .tuple(fc.constantFrom("a", "%41", "é", "*", "😀", "%"), fc.constantFrom(63, 65, 127, 129, 1023, 1025, 1400, 4100))
  .map(([piece, n]) => piece.repeat(Math.ceil(n / piece.length)).slice(0, n));
const value = fc.oneof(
  { weight: 2, arbitrary: fc.constant("") },
  { weight: 4, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9*!._~-]{1,80}$/) },
  { weight: 4, arbitrary: oddText },
  { weight: 2, arbitrary: oversized },
  { weight: 2, arbitrary: fc.constantFrom("access_denied", "invalid_scope", "server_error", "user.info.basic,video.list") },
);
const name = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SINGLE_VALUED) },
  { weight: 1, arbitrary: fc.constantFrom("State", "STATE", "code[]", "state%00", "st%61te", "redirect_uri", "return_to", "next") },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }) },
);
type Encoding = "component" | "raw" | "double" | "form";
const encoding = fc.constantFrom<Encoding>("component", "raw", "double", "form");

function encode(text: string, how: Encoding): string {
  switch (how) {
    case "component":
      return safeEncode(text);
    case "double":
      return safeEncode(safeEncode(text));
    case "form":
      return new URLSearchParams({ x: text }).toString().slice(2);
    case "raw":
      return text;
  }
}
/** encodeURIComponent throws on a lone surrogate; a browser would send U+FFFD. */
function safeEncode(text: string): string {
  return encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD"));
}

const param = fc.record({ name, value, nameEncoding: encoding, valueEncoding: encoding, bare: fc.boolean() });
/** A query string made of random parameters, joined with `&` (sometimes sloppily). */
const randomQuery = fc
  .tuple(fc.array(param, { maxLength: 8 }), fc.constantFrom("&", "&&", "&;", "&amp;"), fc.option(fc.constantFrom("#", "#state=x", "#code=y"), { nil: undefined }))
  .map(([params, joiner, fragment]) =>
    params
      .map((p) => (p.bare && p.value === "" ? encode(p.name, p.nameEncoding) : `${encode(p.name, p.nameEncoding)}=${encode(p.value, p.valueEncoding)}`))
      .join(joiner) + (fragment ?? ""),
  );

/** How a parameter of the real callback is changed before it is sent. */
const variant = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: "keep" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "omit" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "empty" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "duplicate" as const }) },
  { weight: 1, arbitrary: value.map((other) => ({ kind: "duplicate_other" as const, other })) },
  { weight: 1, arbitrary: value.map((junk) => ({ kind: "append" as const, junk })) },
  { weight: 1, arbitrary: value.map((other) => ({ kind: "replace" as const, other })) },
  { weight: 1, arbitrary: fc.constant({ kind: "swapcase" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "percent_every_char" as const }) },
);
type Variant = typeof variant extends fc.Arbitrary<infer V> ? V : never;

function applyVariant(paramName: string, real: string, v: Variant, how: Encoding): string[] {
  const pair = (text: string) => `${paramName}=${encode(text, how)}`;
  switch (v.kind) {
    case "keep":
      return [pair(real)];
    case "omit":
      return [];
    case "empty":
      return [`${paramName}=`];
    case "duplicate":
      return [pair(real), pair(real)];
    case "duplicate_other":
      return [pair(real), pair(v.other)];
    case "append":
      return [pair(real + v.junk)];
    case "replace":
      return [pair(v.other)];
    case "swapcase":
      return [pair([...real].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(""))];
    case "percent_every_char":
      // Decodes to exactly the real value: decoding once must give it back (S13).
      return [`${paramName}=${[...Buffer.from(real, "utf8")].map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`).join("")}`];
  }
}

const realCallbackPlan = fc.record({
  state: variant,
  code: variant,
  stateEncoding: encoding,
  codeEncoding: encoding,
  extras: fc.array(param, { maxLength: 3 }),
  order: fc.array(fc.integer(), { minLength: 16, maxLength: 16 }),
});

/** The real callback, untouched: the starting point of the fixed examples. */
const plainPlan: Plan = {
  state: { kind: "keep" },
  code: { kind: "keep" },
  stateEncoding: "component",
  codeEncoding: "component",
  extras: [],
  order: Array.from({ length: 16 }, () => 0),
};
type Plan = typeof realCallbackPlan extends fc.Arbitrary<infer P> ? P : never;

// ---- the tests ------------------------------------------------------------------------------

describe("fuzz: GET /api/oauth/tiktok/callback", { timeout: 120_000 }, () => {
  let h: AppHarness;
  let logs: LogCapture;
  let user: Awaited<ReturnType<AppHarness["signUp"]>>;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);

  beforeAll(async () => {
    process.on("unhandledRejection", onUnhandled);
    h = await startAppHarness();
    logs = captureLogs("warn");
    user = await h.signUp("fuzzer");
  }, 120_000);
  afterAll(async () => {
    process.off("unhandledRejection", onUnhandled);
    logs?.restore();
    await h?.close();
  });
  afterEach(async () => {
    h.sandbox.control.clearFaults();
    await clearAccounts(h.db);
    logs.clear();
  });

  /** Calls the real handler; any exception escaping it fails the property. */
  async function callback(browser: TestBrowser, url: string) {
    const request = browser.request(url);
    const response = await callbackRoute(request);
    return { request, response, status: response.status, location: response.headers.get("location") };
  }

  function expectAnswer(answer: Awaited<ReturnType<typeof callback>>, expected: Expected) {
    const { response, status, location } = answer;
    expect(status).not.toBe(500);
    // S40: whatever the answer, nothing from this URL may leak onwards or be cached.
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("cache-control")).toBe("no-store, no-transform");
    expect(status).toBe(expected.status);
    if (expected.status === 400) {
      expect(location).toBeNull();
      return;
    }
    expect(location).not.toBeNull();
    // The Location is built from fixed parts only: nothing from the query can be in it.
    if ("success" in expected) {
      expect(location).toMatch(new RegExp(`^${escapeRegExp(ACCOUNTS_PAGE)}\\?success=tiktok&account=[0-9a-f-]{36}$`));
    } else {
      expect(CALLBACK_ERROR_CODES).toContain(expected.error);
      expect(location).toBe(`${ACCOUNTS_PAGE}?error=${expected.error}&provider=tiktok`);
    }
  }

  it("random query strings without the browser's valid state: fixed answers, never a token call", async () => {
    const browser = new TestBrowser(user.cookie);
    const pending = stateOf(await startConnect(browser));
    const unbound = new TestBrowser(user.cookie);
    const tokenCallsBefore = h.sandbox.control.counters().token;
    const callbacksCounted = () =>
      metricsSnapshot()
        .filter((m) => m.name === "sf_oauth_callbacks_total")
        .reduce((sum, m) => sum + m.value, 0);
    const countedBefore = callbacksCounted();
    let runs = 0;

    await fc.assert(
      fc.asyncProperty(randomQuery, fc.boolean(), async (query, bound) => {
        runs++;
        const answer = await callback(bound ? browser : unbound, `${REDIRECT_URI}?${query}`);
        const { expected, tokenCall } = model(answer.request.url, { state: pending }, bound);
        expect(tokenCall).toBe(false);
        expectAnswer(answer, expected);
        expect(h.sandbox.control.counters().token).toBe(tokenCallsBefore);
      }),
      { numRuns: 250 },
    );
    expect(runs).toBe(250);
    // Every answer was counted once in the callbacks-by-outcome metric.
    expect(callbacksCounted() - countedBefore).toBe(250);
    // The browser's own flow was never consumed by any of them.
    expect(await stateRowsOf(h.db, user.id)).toHaveLength(1);
    expect(await accountRowsOf(h.db, user.id)).toHaveLength(0);
    // No answer came from the handler's unexpected-error path.
    expect(logs.events()).not.toContain("oauth.callback_failed");
    expect(unhandled).toEqual([]);
  });

  it("mangled real callbacks (the browser's own state and TikTok's code): exactly the model's answer and token calls", async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(realCallbackPlan, async (plan) => {
        const browser = new TestBrowser(user.cookie);
        const back = new URL(await decideAtSandbox(await startConnect(browser)));
        const real = { state: back.searchParams.get("state")!, code: back.searchParams.get("code")! };
        const parts = [
          ...applyVariant("state", real.state, plan.state, plan.stateEncoding),
          ...applyVariant("code", real.code, plan.code, plan.codeEncoding),
          `scopes=${encodeURIComponent(back.searchParams.get("scopes") ?? "")}`,
          ...plan.extras.map((p) => `${encode(p.name, p.nameEncoding)}=${encode(p.value, p.valueEncoding)}`),
        ];
        const ordered = parts.map((p, i) => [plan.order[i] ?? 0, i, p] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        const url = `${REDIRECT_URI}?${ordered.map(([, , p]) => p).join("&")}`;

        const tokenBefore = h.sandbox.control.counters().token;
        const answer = await callback(browser, url);
        const { expected, tokenCall } = model(answer.request.url, real, true);
        expectAnswer(answer, expected);
        // Never a token call without the valid state; exactly one with it.
        expect(h.sandbox.control.counters().token - tokenBefore).toBe(tokenCall ? 1 : 0);
        const accounts = await accountRowsOf(h.db, user.id);
        expect(accounts).toHaveLength("success" in expected ? 1 : 0);
        const key = "success" in expected ? "success" : expected.status === 400 ? "400" : expected.error;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        await clearAccounts(h.db);
      }),
      {
        numRuns: 50,
        // Each interesting branch once for sure (a random run of 50 misses one about 1 time in 200),
        // then 50 random plans.
        examples: [
          [{ ...plainPlan }],
          [{ ...plainPlan, code: { kind: "replace", other: "not-the-code" } }],
          [{ ...plainPlan, state: { kind: "duplicate" } }],
        ],
      },
    );
    // The generator reaches the interesting branches, not only the early refusals.
    expect(outcomes.get("success") ?? 0).toBeGreaterThan(0);
    expect(outcomes.get("token_exchange_failed") ?? 0).toBeGreaterThan(0);
    expect(outcomes.get("invalid_request") ?? 0).toBeGreaterThan(0);
    expect(logs.events()).not.toContain("oauth.callback_failed");
    expect(unhandled).toEqual([]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
