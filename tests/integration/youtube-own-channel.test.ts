/**
 * A YouTube answer naming another channel than the account's (docs/security.md S71): its counts
 * and uploads are never taken as the account's.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { GET as videosRoute } from "@/app/api/accounts/[accountId]/videos/route";
import { socialAccounts } from "@/lib/db/schema";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { getAppServices } from "@/lib/services";
import { APP_URL, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { connectYouTube } from "../helpers/connect-flow";
import { ADA } from "../../sandbox/google/tests/helpers";

describe("YouTube: only the account's own channel", () => {
  let h: AppHarness;
  let alice: { id: string; browser: TestBrowser; accountId: string };

  beforeAll(async () => {
    h = await startAppHarness();
    const a = await h.signUp("alice");
    const browser = new TestBrowser(a.cookie);
    alice = { id: a.id, browser, accountId: await connectYouTube(browser, { account: ADA }) };
    // Google now answers `channels.list?mine=true` for this grant with a channel that is not the
    // one the account row holds (a hostile or mixed-up answer): the row keeps its own channel id,
    // and has no stored uploads playlist, so the videos page asks channels.list too.
    await h.db
      .update(socialAccounts)
      .set({ platformUserId: "UCnotTheAnsweredChannel0", providerData: null })
      .where(eq(socialAccounts.id, alice.accountId));
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => h.install());

  it("S71: an analytics snapshot read whose channels.list names another channel is refused, its counts not taken as the account's", async () => {
    const account = (await accountsOf(h.db, alice.id).get(alice.accountId))!;
    const source = (await getAppServices()).accountStats.get("YOUTUBE")!;
    const outcome = await source.read(account).then(
      (reading) => ({ reading }),
      (error: unknown) => ({ error: error as { code?: string } }),
    );
    expect(outcome).toMatchObject({ error: { code: "youtube_unavailable" } });
  });

  it("S71: the videos route does not list the uploads of a channel channels.list names when it is not the account's", async () => {
    const response = await videosRoute(alice.browser.request(`${APP_URL}/api/accounts/${alice.accountId}/videos`), {
      params: Promise.resolve({ accountId: alice.accountId }),
    });
    expect(response.status).toBe(503);
    const body = (await response.json()) as { code?: string; videos?: unknown };
    expect(body.videos).toBeUndefined();
    expect(body.code).toBe("youtube_unavailable");
  });
});
