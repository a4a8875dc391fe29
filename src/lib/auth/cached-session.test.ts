/**
 * cachedSessionUser verifies Better Auth's signed session copy itself (issue #14). These tests
 * hold it to Better Auth's own reader: for real copies made by Better Auth's sign-up flow and
 * for many mutations of them, both accept or both refuse, and accept the same user. The one
 * allowed difference is one way: copies Better Auth would accept only through a lenient decode
 * (padding, another base64 alphabet, stray bits) we refuse, so they go to the database.
 */
import { createHmac, randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { getCookieCache, getSessionCookie } from "better-auth/cookies";
import { startAppHarness, type AppHarness } from "../../../tests/helpers/app-harness";
import type { Auth } from "./auth";
import { SESSION_COOKIE_CACHE_SECONDS } from "./auth";
import { cachedSessionUser, VERIFIED_LIMIT, type CachedSessionUser } from "./cached-session";

const TOKEN = "better-auth.session_token";
const COPY = "better-auth.session_data";

interface SignedIn {
  id: string;
  token: string;
  copy: string;
}

type Outer = { session: Record<string, unknown> & { session: Record<string, unknown>; user: Record<string, unknown> }; expiresAt: number; signature: string };

const decode = (value: string): Outer => JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Outer;
const encode = (json: unknown): string => Buffer.from(typeof json === "string" ? json : JSON.stringify(json)).toString("base64url");
/** Signs a copy in Better Auth's compact format (the sanity test below proves Better Auth accepts it). */
function sign(outer: Outer, secret: string): string {
  const signature = createHmac("sha256", secret)
    .update(JSON.stringify({ ...outer.session, expiresAt: outer.expiresAt }))
    .digest("base64url");
  return encode({ ...outer, signature });
}
function resign(copy: string, secret: string, edit: (outer: Outer) => void): string {
  const outer = decode(copy);
  edit(outer);
  return sign(outer, secret);
}

/** Better Auth's own reading, as cachedSessionUser did it before (any exception is a refusal). */
async function betterAuthReads(auth: Auth, headers: Headers): Promise<CachedSessionUser | undefined> {
  try {
    const isSecure = auth.options.advanced?.useSecureCookies === true;
    const rawToken = getSessionCookie(headers);
    if (!rawToken) return undefined;
    const payload = await getCookieCache(headers, { secret: auth.options.secret, isSecure, strategy: "compact" });
    if (!payload) return undefined;
    if (payload.session.token !== rawToken.slice(0, rawToken.lastIndexOf("."))) return undefined;
    const { id, email, name } = payload.user;
    return { id, email, name };
  } catch {
    return undefined;
  }
}

/** Whether the copy in this header is in the encoding Better Auth writes (where we must agree exactly). */
function isCanonical(copy: string | undefined): boolean {
  if (copy === undefined) return true;
  if (!/^[A-Za-z0-9_-]*$/.test(copy) || Buffer.from(copy, "base64url").toString("base64url") !== copy) return false;
  try {
    const { signature } = decode(copy);
    return typeof signature !== "string" || (/^[A-Za-z0-9_-]*$/.test(signature) && Buffer.from(signature, "base64url").toString("base64url") === signature);
  } catch {
    return true;
  }
}

describe("cachedSessionUser", { timeout: 120_000 }, () => {
  let h: AppHarness;
  let secret: string;
  const users: SignedIn[] = [];

  beforeAll(async () => {
    h = await startAppHarness();
    secret = h.auth.options.secret!;
    for (const name of ["ada", "bob", "cyd"]) {
      const user = await h.signUp(name);
      const pairs = new Map(user.cookie.split("; ").map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
      users.push({ id: user.id, token: pairs.get(TOKEN)!, copy: pairs.get(COPY)! });
    }
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });
  /** Better Auth logs each copy it cannot parse; hundreds of mutations need not fill the output. */
  const quietBetterAuth = () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "warn").mockImplementation(() => {});
  };

  const headers = (pairs: [string, string][]) => new Headers({ cookie: pairs.map(([k, v]) => `${k}=${v}`).join("; ") });
  const browser = (token: string, copy: string) => headers([[TOKEN, token], [COPY, copy]]);

  it("Better Auth accepts copies signed by this test's signer (so re-signed mutations test what they claim)", async () => {
    const [ada] = users;
    const copy = resign(ada!.copy, secret, () => {});
    expect((await betterAuthReads(h.auth, browser(ada!.token, copy)))?.id).toBe(ada!.id);
  });

  it("accepts a fresh copy from sign-up: the user, no exception", async () => {
    const [ada] = users;
    const user = cachedSessionUser(h.auth, browser(ada!.token, ada!.copy));
    expect(user).toEqual(await betterAuthReads(h.auth, browser(ada!.token, ada!.copy)));
    expect(user?.id).toBe(ada!.id);
  });

  it("refuses a tampered copy (user id changed, signature kept)", () => {
    const [ada, bob] = users;
    const outer = decode(ada!.copy);
    outer.session.user.id = bob!.id;
    expect(cachedSessionUser(h.auth, browser(ada!.token, encode(outer)))).toBeUndefined();
  });

  describe("verified copies remembered by their exact value", () => {
    afterEach(() => {
      vi.restoreAllMocks();
      vi.useRealTimers();
    });
    /** A copy of ada's no check has seen yet (another copy expiry, same session), and her session cookie. */
    const freshCopyOfAda = (() => {
      let n = 0;
      return () => {
        const [ada] = users;
        const copy = resign(ada!.copy, secret, (outer) => {
          outer.expiresAt -= ++n;
        });
        return { ada: ada!, copy, headers: browser(ada!.token, copy) };
      };
    })();

    it("a second check of the same copy does not decode it again, and answers the same user", () => {
      const { ada, headers } = freshCopyOfAda();
      const parse = vi.spyOn(JSON, "parse");
      expect(cachedSessionUser(h.auth, headers)?.id).toBe(ada.id);
      const decodes = parse.mock.calls.length;
      expect(decodes).toBeGreaterThan(0);
      expect(cachedSessionUser(h.auth, headers)?.id).toBe(ada.id);
      expect(parse.mock.calls.length).toBe(decodes);
    });

    it("a remembered copy is still refused past its maxAge, under another secret, and beside another session's cookie", () => {
      const { ada, copy, headers } = freshCopyOfAda();
      const [, bob] = users;
      expect(cachedSessionUser(h.auth, headers)?.id).toBe(ada.id);
      const otherSecret = { ...h.auth, options: { ...h.auth.options, secret: randomBytes(32).toString("base64url") } } as Auth;
      expect(cachedSessionUser(otherSecret, headers)).toBeUndefined();
      expect(cachedSessionUser(h.auth, browser(bob!.token, copy))).toBeUndefined();
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(decode(copy).expiresAt + 1);
      expect(cachedSessionUser(h.auth, headers)).toBeUndefined();
      vi.useRealTimers();
      expect(cachedSessionUser(h.auth, headers)?.id).toBe(ada.id);
    });

    it("each answer is the caller's own object: changing one does not change the next", () => {
      const { ada, headers } = freshCopyOfAda();
      const first = cachedSessionUser(h.auth, headers)!;
      first.id = "someone-else";
      expect(cachedSessionUser(h.auth, headers)?.id).toBe(ada.id);
    });

    it(`keeps at most ${VERIFIED_LIMIT} copies, forgetting the oldest first`, () => {
      const oldest = freshCopyOfAda();
      expect(cachedSessionUser(h.auth, oldest.headers)).toBeDefined();
      for (let i = 0; i < VERIFIED_LIMIT; i++) expect(cachedSessionUser(h.auth, freshCopyOfAda().headers)).toBeDefined();
      const parse = vi.spyOn(JSON, "parse");
      expect(cachedSessionUser(h.auth, oldest.headers)?.id).toBe(oldest.ada.id);
      expect(parse).toHaveBeenCalled(); // decoded again: it had been forgotten
    });
  });

  it("refuses a copy past its maxAge, and one whose session has expired", () => {
    const [ada] = users;
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + (SESSION_COOKIE_CACHE_SECONDS + 1) * 1000);
    expect(cachedSessionUser(h.auth, browser(ada!.token, ada!.copy))).toBeUndefined();
    vi.useRealTimers();

    const expired = resign(ada!.copy, secret, (outer) => {
      outer.session.session.expiresAt = new Date(Date.now() - 1000).toJSON();
    });
    expect(cachedSessionUser(h.auth, browser(ada!.token, expired))).toBeUndefined();
  });

  it("refuses a valid copy beside another session's cookie, and a copy without a session cookie", () => {
    const [ada, bob] = users;
    expect(cachedSessionUser(h.auth, browser(ada!.token, bob!.copy))).toBeUndefined();
    expect(cachedSessionUser(h.auth, headers([[COPY, ada!.copy]]))).toBeUndefined();
  });

  it("refuses a copy signed with another secret", () => {
    const [ada] = users;
    const forged = resign(ada!.copy, randomBytes(32).toString("base64url"), () => {});
    expect(cachedSessionUser(h.auth, browser(ada!.token, forged))).toBeUndefined();
  });

  it("refuses a signed copy with an empty user id (Better Auth's schema would take it; no user is nameless)", async () => {
    const [ada] = users;
    const nameless = resign(ada!.copy, secret, (outer) => {
      outer.session.user.id = "";
    });
    expect(await betterAuthReads(h.auth, browser(ada!.token, nameless))).toBeDefined();
    expect(cachedSessionUser(h.auth, browser(ada!.token, nameless))).toBeUndefined();
  });

  it("refuses, without throwing, encodings Better Auth's lenient decoder would accept (padding, stray bits)", async () => {
    const [ada] = users;
    const padded = `${ada!.copy}${"=".repeat((4 - (ada!.copy.length % 4)) % 4 || 4)}`;
    expect(await betterAuthReads(h.auth, browser(ada!.token, padded))).toBeDefined();
    expect(cachedSessionUser(h.auth, browser(ada!.token, padded))).toBeUndefined();
  });

  /** Both readers on one cookie header; fails on any disagreement except the allowed one-way one. */
  async function agree(auth: Auth, cookies: Headers, copy: string | undefined) {
    const ours = cachedSessionUser(auth, cookies);
    const theirs = await betterAuthReads(auth, cookies);
    if (ours) expect(theirs).toEqual(ours);
    else if (theirs) expect(isCanonical(copy), "Better Auth accepted a canonical copy we refused").toBe(false);
    return { ours, theirs };
  }

  const user = fc.integer({ min: 0, max: 2 });
  const b64Char = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.!~%".split(""));

  it("agrees with Better Auth on byte flips in the encoded copy, the decoded JSON and the signature", async () => {
    quietBetterAuth();
    const flip = fc.record({ who: user, where: fc.nat(), byte: fc.integer({ min: 1, max: 255 }), char: b64Char, part: fc.constantFrom("encoded", "json", "signature") });
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(flip, async ({ who, where, byte, char, part }) => {
        const u = users[who]!;
        let copy: string;
        if (part === "encoded") {
          const i = where % u.copy.length;
          copy = u.copy.slice(0, i) + char + u.copy.slice(i + 1);
        } else if (part === "json") {
          const json = Buffer.from(u.copy, "base64url");
          json[where % json.length]! ^= byte;
          copy = json.toString("base64url");
        } else {
          const outer = decode(u.copy);
          const i = where % outer.signature.length;
          outer.signature = outer.signature.slice(0, i) + char + outer.signature.slice(i + 1);
          copy = encode(outer);
        }
        const { ours } = await agree(h.auth, browser(u.token, copy), copy);
        if (ours) accepted++;
      }),
      { numRuns: 400 },
    );
    // Only a flip that changes nothing (same char) may still verify.
    expect(accepted).toBeLessThan(400);
  });

  it("agrees with Better Auth on re-signed content: other user, past expiries, other token, wrong types, missing fields", async () => {
    quietBetterAuth();
    const edits: Record<string, (outer: Outer, other: SignedIn) => void> = {
      none: () => {},
      otherUserId: (o, other) => void (o.session.user.id = other.id),
      upperEmail: (o) => void (o.session.user.email = String(o.session.user.email).toUpperCase()),
      copyExpired: (o) => void (o.expiresAt = Date.now() - 1),
      copyFarFuture: (o) => void (o.expiresAt = Date.now() + 3_600_000),
      sessionExpired: (o) => void (o.session.session.expiresAt = new Date(Date.now() - 1).toJSON()),
      sessionExpiresNotADate: (o) => void (o.session.session.expiresAt = "tomorrow"),
      otherToken: (o, other) => void (o.session.session.token = other.token.slice(0, other.token.lastIndexOf("."))),
      numericUserId: (o) => void (o.session.user.id = 42),
      noEmail: (o) => void delete o.session.user.email,
      nameNull: (o) => void (o.session.user.name = null),
      noToken: (o) => void delete o.session.session.token,
      noUser: (o) => void delete (o.session as Record<string, unknown>).user,
      sessionArray: (o) => void ((o.session as unknown as unknown[]) = []),
    };
    const names = Object.keys(edits);
    await fc.assert(
      fc.asyncProperty(user, user, fc.constantFrom(...names), fc.boolean(), async (who, otherWho, edit, wrongSecret) => {
        const u = users[who]!;
        const key = wrongSecret ? randomBytes(32).toString("base64url") : secret;
        const copy = resign(u.copy, key, (o) => edits[edit]!(o, users[otherWho]!));
        const { ours, theirs } = await agree(h.auth, browser(u.token, copy), copy);
        // Every one of these is canonical: exact agreement.
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 300 },
    );
  });

  it("agrees with Better Auth on cookie names: chunked copies, secure prefixes, missing pieces", async () => {
    quietBetterAuth();
    const secureAuth = { options: { ...h.auth.options, advanced: { ...h.auth.options.advanced, useSecureCookies: true } } } as unknown as Auth;
    const shape = fc.record({
      who: user,
      chunks: fc.integer({ min: 1, max: 5 }),
      chunked: fc.boolean(),
      shuffle: fc.boolean(),
      dropChunk: fc.option(fc.nat(), { nil: undefined }),
      securePrefixCopy: fc.boolean(),
      securePrefixToken: fc.boolean(),
      secureAuth: fc.boolean(),
      withToken: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(shape, async (s) => {
        const u = users[s.who]!;
        const copyName = `${s.securePrefixCopy ? "__Secure-" : ""}${COPY}`;
        let pairs: [string, string][];
        if (s.chunked) {
          const size = Math.ceil(u.copy.length / s.chunks);
          pairs = Array.from({ length: s.chunks }, (_, i) => [`${copyName}.${i}`, u.copy.slice(i * size, (i + 1) * size)] as [string, string]);
          if (s.dropChunk !== undefined && s.chunks > 1) pairs.splice(s.dropChunk % s.chunks, 1);
          if (s.shuffle) pairs.reverse();
        } else {
          pairs = [[copyName, u.copy]];
        }
        if (s.withToken) pairs.unshift([`${s.securePrefixToken ? "__Secure-" : ""}${TOKEN}`, u.token]);
        const { ours, theirs } = await agree(s.secureAuth ? secureAuth : h.auth, headers(pairs), u.copy);
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 300 },
    );
  });

  it("agrees with Better Auth on garbage: random cookie values and signed or unsigned non-object JSON", async () => {
    quietBetterAuth();
    const json = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constantFrom("[]", "null", "1", '"x"', '{"session":[]}', '{"session":{},"expiresAt":"1","signature":""}', "{", ""),
    );
    const value = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_\-+/=.!~%]{0,80}$/), json.map(encode));
    await fc.assert(
      fc.asyncProperty(user, value, async (who, copy) => {
        const u = users[who]!;
        const { ours } = await agree(h.auth, browser(u.token, copy), copy);
        expect(ours).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
