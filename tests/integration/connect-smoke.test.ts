import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { socialAccounts } from "@/lib/db/schema";
import { DEFAULT_TIKTOK_SCOPES } from "@/lib/config/env-schema";
import { startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { connectTikTok } from "../helpers/connect-flow";

describe("connect TikTok through the real routes and the sandbox", () => {
  let h: AppHarness;
  beforeAll(async () => {
    h = await startAppHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("stores the sandbox user's profile and encrypted tokens", async () => {
    const user = await h.signUp();
    const accountId = await connectTikTok(new TestBrowser(user.cookie));
    const [row] = await h.db.select().from(socialAccounts).where(eq(socialAccounts.id, accountId));
    expect(row).toMatchObject({ userId: user.id, platform: "TIKTOK", platformUserId: "sbx-ava-0001", displayName: "Ava Sandbox", status: "ACTIVE" });
    expect(row!.scopes).toEqual(DEFAULT_TIKTOK_SCOPES.split(","));
    expect(row!.providerData).toMatchObject({ handle: "@ava.sandbox", followerCount: expect.any(Number) });
    expect(row!.accessToken).toMatch(/^v1\./);
    expect(row!.tokenExpiry.getTime() - Date.now()).toBeGreaterThan(86_000_000);
  });
});
