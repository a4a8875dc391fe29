import type { Logger } from "pino";
import { safeError } from "@/lib/log/logger";
import type { ConnectionProvider } from "./provider";

/** The tokens of a grant; the provider revokes with the one it needs. */
export type RevokeTokens = { accessToken: string; refreshToken?: string };

/** Revokes at the provider without throwing; true when the provider confirmed it. */
export async function revokeQuietly(provider: ConnectionProvider, tokens: RevokeTokens, reason: string, logger: Logger): Promise<boolean> {
  try {
    await provider.revoke(tokens);
    return true;
  } catch (error) {
    logger.warn({ event: "oauth.revoke_failed", provider: provider.slug, reason, err: safeError(error) });
    return false;
  }
}
