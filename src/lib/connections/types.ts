import type { ProviderData } from "@/lib/db/schema";

/** What a provider's token endpoint gave us, already validated. */
export interface OAuthTokens {
  accessToken: string;
  /** Absent when the provider did not rotate it (keep the old one: docs/security.md S33). */
  refreshToken: string | undefined;
  /** Seconds, from the response (`expires_in`), never hard-coded. */
  expiresIn: number;
  refreshExpiresIn: number | undefined;
  /** Granted scopes as the provider reports them; undefined when it did not say. */
  scopes: string[] | undefined;
  /** The provider's user id when the token response carries it (TikTok's open_id). */
  providerUserId: string | undefined;
}

export interface UserProfile {
  providerUserId: string;
  unionId: string | undefined;
  displayName: string;
  avatarUrl: string | undefined;
  /** Facts only this network has (stored in `social_accounts.provider_data`); never a token. */
  providerData?: ProviderData;
}

export interface CallbackSession {
  userId: string;
  /** Value of the browser-binding cookie (docs/security.md S8). */
  browserBinding: string;
}

export interface ConnectedAccount {
  id: string;
  reconnected: boolean;
}
