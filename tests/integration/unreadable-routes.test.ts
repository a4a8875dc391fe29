import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { GET as videosRoute } from "@/app/api/accounts/[accountId]/videos/route";
import { createTokenCipher, parseKeyring } from "@/lib/crypto";
import { socialAccounts } from "@/lib/db/schema";
import { tokenAad } from "@/lib/connections/account-store";
import { ACCOUNT_UNAVAILABLE_MESSAGE } from "@/lib/connections/unavailable-message";
import { APP_URL, startAppHarness, TestBrowser, type AppHarness } from "../helpers/app-harness";
import { usingRealPostgres } from "../helpers/test-db";
import { accountRow, counterMark, letRefreshMinutePass, postRefresh, seedAccount } from "../helpers/security-kit";
import { startUpload, useTestUploadConfig } from "./upload-kit";

/** A cipher under a key id this deployment's keyring does not have (a key dropped by a deploy). */
const gone = createTokenCipher(parseKeyring(`gone:${randomBytes(32).toString("base64")}`));

describe(`routes on an account whose tokens do not decrypt (${usingRealPostgres ? "PostgreSQL" : "PGlite"})`, () => {
  let h: AppHarness;
  let alice: Awaited<ReturnType<AppHarness["signUp"]>>;
  let browser: TestBrowser;
  let uploads: Awaited<ReturnType<typeof useTestUploadConfig>> | undefined;
  beforeAll(async () => {
    uploads = await useTestUploadConfig();
    h = await startAppHarness();
    alice = await h.signUp("alice");
    browser = new TestBrowser(alice.cookie);
  }, 120_000);
  afterAll(async () => {
    await uploads?.cleanup();
    await h?.close();
  });

  /** Rewrites the account's tokens as if a key missing here had encrypted them. */
  async function underMissingKey(accountId: string, fields: ("access_token" | "refresh_token")[]) {
    const values: Partial<typeof socialAccounts.$inferInsert> = {};
    if (fields.includes("access_token")) values.accessToken = gone.encrypt("at-under-missing-key", tokenAad(accountId, "access_token"));
    if (fields.includes("refresh_token")) values.refreshToken = gone.encrypt("rt-under-missing-key", tokenAad(accountId, "refresh_token"));
    await h.db.update(socialAccounts).set(values).where(eq(socialAccounts.id, accountId));
  }

  const listVideos = (accountId: string) =>
    videosRoute(browser.request(`${APP_URL}/api/accounts/${accountId}/videos`), { params: Promise.resolve({ accountId }) });

  it("S60: a data call whose access token does not decrypt answers 503 account_unavailable in plain words (not reconnect), marks the account UNREADABLE, and never reaches TikTok", async () => {
    const account = await seedAccount(h, alice.id, `s60-${randomBytes(3).toString("hex")}`);
    await underMissingKey(account.id, ["access_token"]);
    const before = h.sandbox.control.counters().video_list;
    for (let i = 0; i < 2; i++) {
      const response = await listVideos(account.id);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ code: "account_unavailable", error: ACCOUNT_UNAVAILABLE_MESSAGE });
    }
    expect(h.sandbox.control.counters().video_list).toBe(before);
    expect(await accountRow(h.db, account.id)).toMatchObject({ status: "UNREADABLE", statusReason: "token_unreadable" });
  });

  it("S60: Refresh on an account neither of whose tokens decrypts answers 503 account_unavailable, with no token call", async () => {
    const account = await seedAccount(h, alice.id, `s60-${randomBytes(3).toString("hex")}`);
    await underMissingKey(account.id, ["access_token", "refresh_token"]);
    // Past the Refresh button's minute (a token this fresh is answered without a refresh).
    await letRefreshMinutePass(h.db, account.id);
    const mark = counterMark(h);
    const { status, body } = await postRefresh(browser, account.id);
    expect(status).toBe(503);
    expect(body).toEqual({ code: "account_unavailable", error: ACCOUNT_UNAVAILABLE_MESSAGE });
    expect(mark.token()).toBe(0);
    expect(await accountRow(h.db, account.id)).toMatchObject({ status: "UNREADABLE", statusReason: "token_unreadable" });
  });

  it("S60: starting an upload on an UNREADABLE account is refused with 503 account_unavailable before any byte is sent", async () => {
    const account = await seedAccount(h, alice.id, `s60-${randomBytes(3).toString("hex")}`, ["user.info.basic", "video.upload"]);
    await h.db.update(socialAccounts).set({ status: "UNREADABLE", statusReason: "token_unreadable" }).where(eq(socialAccounts.id, account.id));
    const started = await startUpload(browser, account.id, { mode: "inbox", size: 1_000_000 });
    expect(started.status).toBe(503);
    expect(started.body).toMatchObject({ code: "account_unavailable", error: ACCOUNT_UNAVAILABLE_MESSAGE });
  });
});
