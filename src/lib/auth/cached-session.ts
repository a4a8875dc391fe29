import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";
import { getSessionCookie, parseCookies, SECURE_COOKIE_PREFIX } from "better-auth/cookies";
import * as z from "zod";
import type { Auth } from "./auth";

export interface CachedSessionUser {
  id: string;
  email: string;
  name: string;
}

/** Better Auth's name for the signed copy (cookiePrefix "better-auth", cookie "session_data"). */
const COPY_COOKIE = "better-auth.session_data";

/** Canonical base64url without padding: what Better Auth writes, and all we accept. */
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The signed content's fields we use or that decide whether it is still valid. Loose: the copy
 * carries more (ids, dates, ipAddress…) that is signed but not ours to judge.
 */
const signedCopySchema = z.looseObject({
  session: z.looseObject({
    token: z.string().min(1),
    expiresAt: z.iso.datetime(),
  }),
  user: z.looseObject({
    id: z.string().min(1),
    email: z.string(),
    name: z.string(),
  }),
});

/** The HMAC key object, built once per secret rather than imported on every check. */
let hmacKey: { secret: string; key: KeyObject } | undefined;
function keyFor(secret: string): KeyObject {
  if (hmacKey?.secret !== secret) hmacKey = { secret, key: createSecretKey(Buffer.from(secret, "utf8")) };
  return hmacKey.key;
}

/** The copy's value as Better Auth's getCookieCache finds it: whole, or in chunks `name.0`, `name.1`… */
function copyValue(cookies: Map<string, string>, name: string): string | undefined {
  const whole = cookies.get(name);
  if (whole) return whole;
  const chunks: { index: number; value: string }[] = [];
  for (const [cookieName, value] of cookies) {
    if (!cookieName.startsWith(`${name}.`)) continue;
    const index = parseInt(cookieName.slice(cookieName.lastIndexOf(".") + 1) || "0", 10);
    if (!Number.isNaN(index)) chunks.push({ index, value });
  }
  if (chunks.length === 0) return undefined;
  return chunks
    .sort((a, b) => a.index - b.index)
    .map((c) => c.value)
    .join("");
}

/** What a verified copy says, kept by its exact value (below). */
interface VerifiedCopy {
  secret: string;
  token: string;
  /** The copy's own expiry (its maxAge) and the embedded session's, in ms since the epoch. */
  expiresAt: number;
  sessionExpiresAt: number;
  user: CachedSessionUser;
}

/**
 * Copies already verified, by their exact value. A browser sends the same copy with every
 * request for up to its maxAge, so most checks are of a value verified a moment ago: a hit skips
 * the base64, JSON, HMAC and zod work (issue #14), and still checks, every time, the secret, both
 * expiries and the browser's session token. Only values that verified are kept, so a stream of
 * forged copies never grows it; it holds at most VERIFIED_LIMIT (the oldest go first), a few
 * hundred KiB.
 */
const verifiedCopies = new Map<string, VerifiedCopy>();
export const VERIFIED_LIMIT = 1024;

function remember(value: string, copy: VerifiedCopy): void {
  if (verifiedCopies.size >= VERIFIED_LIMIT) verifiedCopies.delete(verifiedCopies.keys().next().value!);
  verifiedCopies.set(value, copy);
}

/** The user a copy names, if it is still valid now for this secret and this browser's session token. */
function stillValid(copy: VerifiedCopy, secret: string, token: string, now: number): CachedSessionUser | undefined {
  if (copy.secret !== secret || copy.expiresAt < now || copy.sessionExpiresAt < now || copy.token !== token) return undefined;
  return { ...copy.user };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The user of a request whose signed session copy (Better Auth's compact cookie cache) is fresh,
 * or undefined — never an exception — when anything does not verify; the caller then asks Better
 * Auth, which reads the database.
 *
 * Why we verify it ourselves rather than with Better Auth's `getCookieCache`: that helper imports
 * the HMAC key through WebCrypto on every call, revives dates with a regex over every JSON
 * string and decodes base64 by hand, and this runs on every API request and page (issue #14).
 * Here the key is built once per secret and the HMAC is node:crypto's.
 *
 * What is checked, the same as Better Auth 1.7's `getCookieCache` (compact strategy) checks:
 * - the copy (cookie `[__Secure-]better-auth.session_data`, secure prefix per `useSecureCookies`,
 *   whole or chunked) is base64url of JSON `{ session, expiresAt, signature }`;
 * - `signature` is HMAC-SHA256 with the auth secret over `JSON.stringify({ ...session,
 *   expiresAt })`, base64url without padding, compared in constant time;
 * - the copy's `expiresAt` (its maxAge) and the embedded session's own `expiresAt` are not past;
 * - the signed content has the fields we use (zod, below).
 * And, as Better Auth's getSession requires, the copy names the session token this browser's
 * session cookie carries, so a valid copy of another session is not believed beside it. Cookie
 * names are found with Better Auth's own `parseCookies` and `getSessionCookie` (a few µs).
 *
 * Stricter than Better Auth in a few respects, never looser: we accept only the encodings Better
 * Auth itself writes (base64url without padding, where its decoder also takes padding, the other
 * alphabet and stray bits; dates as `Date#toJSON` writes them, since we re-serialize without
 * reviving them), a non-empty user id and token, and a session cookie with its signature part.
 * Anything else falls back to the database. Likewise, if a Better Auth upgrade changes the
 * copy's format, every copy fails verification here and each request reads the database:
 * slower, never weaker. cached-session.test.ts holds this to Better Auth's own reader.
 */
export function cachedSessionUser(auth: Auth, requestHeaders: Headers): CachedSessionUser | undefined {
  const secret = auth.options.secret;
  const header = requestHeaders.get("cookie");
  if (!secret || !header) return undefined;
  // The session cookie is "<token>.<signature>"; the copy is signed, so the token alone must match.
  const rawToken = getSessionCookie(requestHeaders);
  const dot = rawToken ? rawToken.lastIndexOf(".") : -1;
  if (!rawToken || dot <= 0) return undefined;
  const token = rawToken.slice(0, dot);

  const secure = auth.options.advanced?.useSecureCookies === true;
  const value = copyValue(parseCookies(header), secure ? `${SECURE_COOKIE_PREFIX}${COPY_COOKIE}` : COPY_COOKIE);
  if (!value) return undefined;
  const now = Date.now();
  const known = verifiedCopies.get(value);
  if (known) return stillValid(known, secret, token, now);
  if (!BASE64URL.test(value)) return undefined;

  let copy: unknown;
  try {
    copy = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!isPlainObject(copy) || !isPlainObject(copy.session)) return undefined;
  const { session, expiresAt, signature } = copy;
  if (typeof expiresAt !== "number" || typeof signature !== "string") return undefined;

  const expected = Buffer.from(
    createHmac("sha256", keyFor(secret))
      .update(JSON.stringify({ ...session, expiresAt }))
      .digest("base64url"),
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;

  const signed = signedCopySchema.safeParse(session);
  if (!signed.success) return undefined;
  const sessionExpiresAt = Date.parse(signed.data.session.expiresAt);
  if (Number.isNaN(sessionExpiresAt)) return undefined;
  const { id, email, name } = signed.data.user;
  // Better Auth's user schema lowercases the email it reads; so do we, to answer the same user.
  const verified: VerifiedCopy = { secret, token: signed.data.session.token, expiresAt, sessionExpiresAt, user: { id, email: email.toLowerCase(), name } };
  const user = stillValid(verified, secret, token, now);
  // Only a copy valid now is worth keeping (an expired one will not become valid again).
  if (user) remember(value, verified);
  return user;
}
