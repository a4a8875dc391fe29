/**
 * The session cookie cache (Better Auth `session.cookieCache`, issue #14): a signed copy of the
 * session in a cookie spares the database read on most requests. What it must not do: keep a
 * revoked session working past its maxAge, or survive a sign-out in the browser that signed out.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { APP_URL, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { getSessionUser } from "@/lib/auth";
import { SESSION_COOKIE_CACHE_SECONDS } from "@/lib/auth/auth";
import { session as sessionTable } from "@/lib/db/schema";

const CACHE_COOKIE = "better-auth.session_data";

describe("session cookie cache", { timeout: 60_000 }, () => {
  let h: AppHarness;

  beforeAll(async () => {
    h = await startAppHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const headersOf = (browser: TestBrowser) => new Headers({ cookie: browser.cookieHeader });
  /** Moves the clock (Date only: the database and sockets keep real timers) `seconds` on from now. */
  const jumpAhead = (seconds: number) => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + seconds * 1000);
  };

  it("signing up sets the signed copy; while fresh it answers without the database", async () => {
    const user = await h.signUp("cached");
    const browser = new TestBrowser(user.cookie);
    expect(browser.cookieHeader).toContain(`${CACHE_COOKIE}=`);
    expect((await getSessionUser(headersOf(browser)))?.id).toBe(user.id);

    // Deleting the session row is what a revoke does. Within maxAge the copy is still believed
    // (the bound docs/security.md states): this is what proves no read happened.
    await h.db.delete(sessionTable).where(eq(sessionTable.userId, user.id));
    expect((await getSessionUser(headersOf(browser)))?.id).toBe(user.id);
  });

  it("a copy that names another session is not believed: the session cookie decides", async () => {
    const alice = await h.signUp("alice");
    const bob = await h.signUp("bob");
    const cookieOf = (cookie: string, name: string) => cookie.split("; ").find((c) => c.startsWith(`${name}=`))!;
    // Alice's session cookie beside Bob's (validly signed) copy: Alice, read from the database.
    const mixed = new Headers({ cookie: `${cookieOf(alice.cookie, "better-auth.session_token")}; ${cookieOf(bob.cookie, CACHE_COOKIE)}` });
    expect((await getSessionUser(mixed))?.id).toBe(alice.id);
    // A copy without any session cookie opens nothing.
    expect(await getSessionUser(new Headers({ cookie: cookieOf(bob.cookie, CACHE_COOKIE) }))).toBeNull();
  });

  it("a revoked session stops working once maxAge has passed", async () => {
    const user = await h.signUp("revoked");
    const browser = new TestBrowser(user.cookie);
    expect((await getSessionUser(headersOf(browser)))?.id).toBe(user.id);
    await h.db.delete(sessionTable).where(eq(sessionTable.userId, user.id));

    jumpAhead(SESSION_COOKIE_CACHE_SECONDS + 1);
    expect(await getSessionUser(headersOf(browser))).toBeNull();
  });

  it("a session that was not revoked goes on working after maxAge (read from the database)", async () => {
    const user = await h.signUp("kept");
    const browser = new TestBrowser(user.cookie);
    jumpAhead(SESSION_COOKIE_CACHE_SECONDS + 1);
    expect((await getSessionUser(headersOf(browser)))?.id).toBe(user.id);
  });

  it("sign-out expires the cache cookie with the session cookie, and the session row is gone", async () => {
    const user = await h.signUp("leaving");
    const browser = new TestBrowser(user.cookie);
    const response = await h.auth.api.signOut({ headers: new Headers({ cookie: browser.cookieHeader, origin: APP_URL }), asResponse: true });
    expect(response.status).toBe(200);
    const cleared = response.headers.getSetCookie().filter((line) => /max-age=0/i.test(line)).map((line) => line.split("=")[0]);
    expect(cleared).toEqual(expect.arrayContaining([CACHE_COOKIE, "better-auth.session_token"]));
    browser.absorb(response.headers.getSetCookie());
    expect(await getSessionUser(headersOf(browser))).toBeNull();

    // A copy of the old cookies kept by someone else works no longer than maxAge.
    const stale = new TestBrowser(user.cookie);
    jumpAhead(SESSION_COOKIE_CACHE_SECONDS + 1);
    expect(await getSessionUser(headersOf(stale))).toBeNull();
  });
});
