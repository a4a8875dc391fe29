/**
 * Issue #13, what a new user tripped over: scopes unticked at the provider, "Grant permission"
 * (a reconnect asking for the missing scopes, through the same state and PKCE), the profile
 * extras stored at connect (TikTok @username, follower_count; private from creator_info), and the
 * banner naming a reconnected account. Through the app's routes and both sandboxes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { socialAccounts, type SocialAccountRow } from "@/lib/db/schema";
import { toAccountView } from "@/lib/connections/view-model";
import { bannerFor } from "@/lib/connections/banner-messages";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { DEFAULT_TIKTOK_SCOPES } from "@/lib/config/env-schema";
import { getAppServices, getTikTokServices } from "@/lib/services";
import { APP_URL, decideAtSandbox, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { connectTikTok, connectYouTube, followCallback } from "../helpers/connect-flow";
import { authorizeRoute } from "../helpers/oauth-routes";
import { consent } from "../../sandbox/google/browser";
import { ADA, READONLY, UPLOAD } from "../../sandbox/google/tests/helpers";

/** The defaults, plus direct posting so creator_info (the private flag's source) can be asked. */
const SCOPES = `${DEFAULT_TIKTOK_SCOPES},video.publish`;
const ALL = SCOPES.split(",");

let h: AppHarness;
beforeAll(async () => {
  h = await startAppHarness({ env: { TIKTOK_SCOPES: SCOPES } });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  h.install();
  await h.db.delete(socialAccounts);
});

async function signedIn() {
  const user = await h.signUp();
  return { user, browser: new TestBrowser(user.cookie) };
}

async function rowOf(accountId: string): Promise<SocialAccountRow> {
  const [row] = await h.db.select().from(socialAccounts).where(eq(socialAccounts.id, accountId));
  if (!row) throw new Error("no such account row");
  return row;
}

/** POST authorize with a JSON body, as the card's Grant permission button does. */
async function authorize(browser: TestBrowser, body: unknown, slug = "tiktok") {
  const response = await authorizeRoute(
    browser.request(`${APP_URL}/api/oauth/${slug}/authorize`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
    slug,
  );
  browser.absorb(response.headers.getSetCookie());
  return { status: response.status, json: (await response.json()) as { url?: string; code?: string } };
}

const view = async (row: SocialAccountRow) => toAccountView(row, new Date(), (await getAppServices()).providers.get(row.platform));

describe("TikTok: partial permissions and Grant permission", { timeout: 60_000 }, () => {
  it("all granted: the row stores @username and follower_count from user info; the card is Connected with both", async () => {
    const { browser } = await signedIn();
    const id = await connectTikTok(browser, { openId: "sbx-ava-0001" });
    const row = await rowOf(id);
    expect(row.scopes).toEqual(ALL);
    expect(row.providerData).toMatchObject({ handle: "@ava.sandbox", followerCount: expect.any(Number) });
    const card = await view(row);
    expect(card).toMatchObject({ statusLabel: "Connected", handle: "@ava.sandbox", permissionMissing: false });
    expect(card.followers).toMatch(/^\d/);
  });

  it("upload and stats unticked → no follower count asked (TikTok would refuse the call), the card says what is missing; Grant permission asks again through state + PKCE and the reconnect restores both", async () => {
    const { user, browser } = await signedIn();
    const withheld = ALL.filter((s) => s !== "video.upload" && s !== "video.publish" && s !== "user.info.stats");
    const id = await connectTikTok(browser, { openId: "sbx-ava-0001", grant: withheld });
    const partial = await rowOf(id);
    expect(partial.scopes).toEqual(withheld);
    expect(partial.providerData).toEqual({ handle: "@ava.sandbox" });
    const before = await view(partial);
    expect(before).toMatchObject({ statusLabel: "Missing permission", canPost: false, postingAwaitsApproval: false });
    expect(before.missingPermissionNotes).toEqual(["You didn't allow SocialFlow to upload videos to this account.", "Follower count not shared."]);

    // The card's button: the missing scopes, checked against TikTok's list; TikTok is asked for all of them again.
    const granted = await authorize(browser, { scopes: before.missingScopes.map((s) => s.id) });
    expect(granted.status).toBe(200);
    const url = new URL(granted.json.url!);
    expect(url.searchParams.get("scope")).toBe(SCOPES);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    const { location } = await followCallback(browser, await decideAtSandbox(url.toString(), { openId: "sbx-ava-0001" }));
    expect(location?.searchParams.get("account")).toBe(id);
    expect(location?.searchParams.get("again")).toBe("1");

    const full = await rowOf(id);
    expect(full.scopes).toEqual(ALL);
    expect(full.providerData).toMatchObject({ handle: "@ava.sandbox", followerCount: expect.any(Number) });
    expect(await view(full)).toMatchObject({ statusLabel: "Connected", canPost: true, missingPermissionNotes: [] });
    const owned = await accountsOf(h.db, user.id).get(id);
    expect(bannerFor({ success: "tiktok", again: "1" }, (slug) => (slug === "tiktok" ? { displayName: "TikTok" } : undefined), { displayName: owned!.row.displayName, handle: "@ava.sandbox" })?.message).toBe(
      "@ava.sandbox is connected again.",
    );
  });

  it("S64: Grant permission refuses any scope TikTok is not asked for, and starts no flow", async () => {
    const { browser } = await signedIn();
    for (const scopes of [["video.delete"], ["constructor"], ["video.upload,video.list"], "video.upload"]) {
      const answer = await authorize(browser, { scopes });
      expect(answer).toEqual({ status: 400, json: expect.objectContaining({ code: "invalid_request" }) });
      expect(JSON.stringify(answer.json)).not.toContain("video.delete");
    }
  });

  it("the private flag comes from creator_info: Ben's options lack PUBLIC_TO_EVERYONE → private; Ava's have it → public", async () => {
    const { user, browser } = await signedIn();
    const { api } = await getTikTokServices();
    for (const [openId, expected] of [
      ["sbx-ben-0002", true],
      ["sbx-ava-0001", false],
    ] as const) {
      const id = await connectTikTok(browser, { openId });
      expect((await view(await rowOf(id))).privateAccount).toBeNull();
      await api.queryCreatorInfo((await accountsOf(h.db, user.id).get(id))!);
      const row = await rowOf(id);
      expect(row.providerData).toMatchObject({ privateAccount: expected, handle: expect.stringMatching(/^@/) });
      expect((await view(row)).privateAccount).toBe(expected);
    }
  });
});

describe("YouTube: Grant permission asks Google for only the missing scope, added to the grant", { timeout: 60_000 }, () => {
  it("readonly only → Missing permission; Grant permission → scope=upload with include_granted_scopes → both granted", async () => {
    h.google.control.reset();
    const { browser } = await signedIn();
    const id = await connectYouTube(browser, { account: ADA, ticked: [READONLY] });
    const partial = await view(await rowOf(id));
    expect(partial).toMatchObject({ statusLabel: "Missing permission", permissionMissing: true });
    // SocialFlow offers no YouTube upload feature yet, so the scope is named by its label.
    expect(partial.missingPermissionNotes).toEqual(["You didn't allow SocialFlow: Upload videos to your channel."]);

    const granted = await authorize(browser, { scopes: [UPLOAD] }, "youtube");
    expect(granted.status).toBe(200);
    const url = new URL(granted.json.url!);
    expect(url.searchParams.get("scope")).toBe(UPLOAD);
    expect(url.searchParams.get("include_granted_scopes")).toBe("true");
    const step = await consent(url.origin, url.searchParams, { account: ADA });
    const { location } = await followCallback(browser, step.location!, "youtube");
    expect(location?.searchParams.get("again")).toBe("1");
    const full = await rowOf(id);
    expect([...full.scopes].sort()).toEqual([READONLY, UPLOAD].sort());
    expect(await view(full)).toMatchObject({ statusLabel: "Connected", permissionMissing: false, missingPermissionNotes: [] });
  });
});
