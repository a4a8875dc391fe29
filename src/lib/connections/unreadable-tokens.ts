/**
 * Tokens this deployment cannot decrypt (docs/architecture.md "Keeping accounts alive"): almost
 * always a key id dropped from TOKEN_ENCRYPTION_KEYS while rows still use it. That is the
 * operator's problem, not the user's, so the account becomes UNREADABLE — never EXPIRED — its
 * ciphertexts stay exactly as they are, and the sweeper tries it again every UNREADABLE_RETRY_MS
 * until the key is back.
 */
import { and, eq } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database } from "@/lib/db/client";
import { socialAccounts } from "@/lib/db/schema";
import type { TokenCipher } from "@/lib/crypto/token-cipher";
import { recordAccountEvent } from "@/lib/connections/events";
import { incrementMetric } from "@/lib/observability/metrics";
import type { TokenField } from "./account-store";

export const UNREADABLE_REASON = "token_unreadable";

/** Slow on purpose: a missing key is fixed by a deploy, not by trying every few seconds. */
export const UNREADABLE_RETRY_MS = 10 * 60_000;

/** Where the failed decryption happened (a metric label: a fixed list). */
export type UnreadableSource = "refresh" | "api" | "disconnect";

/**
 * One `token.unreadable` line and one count. The key id is read from the envelope (it names a
 * key, it is not one); nothing else of the value is logged. A warning when the account has just
 * become UNREADABLE, debug for the retries that find it still so (one line per account every
 * ten minutes would drown the first ones).
 */
export function reportUnreadable(
  logger: Logger,
  cipher: TokenCipher,
  input: { accountId: string; field: TokenField; ciphertext: string; source: UnreadableSource; becameUnreadable: boolean },
): void {
  const line = {
    event: "token.unreadable",
    accountId: input.accountId,
    field: input.field,
    keyId: cipher.keyIdOf(input.ciphertext) ?? "none",
    source: input.source,
  };
  if (input.becameUnreadable) logger.warn(line);
  else logger.debug(line);
  incrementMetric("sf_token_unreadable_total", { field: input.field, source: input.source });
}

/**
 * Marks an account UNREADABLE from outside the refresh lease (a data-plane call): only while
 * the row still holds the very ciphertext that failed, so a pair a refresh stored meanwhile is
 * never judged by an older value. Tokens are not touched. Returns true when the account has
 * just become UNREADABLE (an `unreadable` event is then recorded).
 */
export async function markUnreadableIfUnchanged(
  db: Database,
  input: { accountId: string; field: TokenField; ciphertext: string; now: Date },
): Promise<boolean> {
  const column = input.field === "access_token" ? socialAccounts.accessToken : socialAccounts.refreshToken;
  const [changed] = await db
    .update(socialAccounts)
    .set({
      status: "UNREADABLE",
      statusReason: UNREADABLE_REASON,
      nextRefreshAt: new Date(input.now.getTime() + UNREADABLE_RETRY_MS),
      updatedAt: input.now,
    })
    .where(and(eq(socialAccounts.id, input.accountId), eq(column, input.ciphertext), eq(socialAccounts.status, "ACTIVE")))
    .returning({ userId: socialAccounts.userId });
  if (!changed) return false;
  await recordAccountEvent(db, { accountId: input.accountId, userId: changed.userId, kind: "unreadable", detail: { field: input.field }, at: input.now });
  return true;
}
