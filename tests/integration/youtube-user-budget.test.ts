/**
 * SocialFlow's own per-user budget on YouTube calls (docs/security.md S70): the project's daily
 * YouTube quota is shared by every user, so one user's requests must not be able to spend it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as videosRoute } from "@/app/api/accounts/[accountId]/videos/route";
import { APP_URL, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { connectYouTube } from "../helpers/connect-flow";
import { ADA, ADA_BRAND } from "../../sandbox/google/tests/helpers";

const PER_MINUTE = 4;

describe("YouTube calls spend the user's own budget", () => {
  let h: AppHarness;
  let alice: { browser: TestBrowser; accountId: string };
  let bob: { browser: TestBrowser; accountId: string };

  beforeAll(async () => {
    h = await startAppHarness({ env: { RATE_LIMIT_PER_MINUTE: String(PER_MINUTE), RATE_LIMIT_PER_DAY: "1000" } });
    const a = await h.signUp("alice");
    alice = { browser: new TestBrowser(a.cookie), accountId: "" };
    alice.accountId = await connectYouTube(alice.browser, { account: ADA });
    const b = await h.signUp("bob");
    bob = { browser: new TestBrowser(b.cookie), accountId: "" };
    bob.accountId = await connectYouTube(bob.browser, { account: ADA_BRAND });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    // Fresh services (budget, caches) per test; the sandboxes keep their grants.
    h.install();
  });

  const listVideos = (who: { browser: TestBrowser; accountId: string }, cursor?: string) =>
    videosRoute(who.browser.request(`${APP_URL}/api/accounts/${who.accountId}/videos${cursor === undefined ? "" : `?cursor=${cursor}`}`), {
      params: Promise.resolve({ accountId: who.accountId }),
    });
  const dataCalls = () => {
    const c = h.google.control.counters();
    return c.channels + c.playlist_items + c.videos;
  };

  it("S70: one user hammering the videos route with new cursors is refused locally (429 budget_exceeded, Retry-After) once the budget is spent; Google is not asked and the project's quota is not spent; another user is unaffected", async () => {
    const before = dataCalls();
    const quotaBefore = h.google.control.quota().used;
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 20; i++) {
      const response = await listVideos(alice, `CAUQAA${i}`);
      statuses.push(response.status);
      if (response.status === 429) {
        refused = response;
        break;
      }
    }
    expect(refused, `statuses: ${statuses.join(",")}`).toBeDefined();
    expect(((await refused!.json()) as { code: string }).code).toBe("budget_exceeded");
    expect(Number(refused!.headers.get("retry-after"))).toBeGreaterThan(0);
    // At most the budget's worth of calls reached Google, and nothing more once refused.
    expect(dataCalls() - before).toBeLessThanOrEqual(PER_MINUTE);
    expect(h.google.control.quota().used - quotaBefore).toBeLessThanOrEqual(PER_MINUTE);
    const atRefusal = dataCalls();
    for (let i = 0; i < 5; i++) expect((await listVideos(alice, `CAUQBB${i}`)).status).toBe(429);
    expect(dataCalls()).toBe(atRefusal);

    expect((await listVideos(bob)).status).toBe(200);
  });
});
