import { CALLBACK_ERROR_CODES, type CallbackErrorCode } from "./errors";
import type { ConnectionProvider } from "./provider";

/** Who the banner speaks of: the provider named by the callback's redirect, if it is known. */
export type BannerProvider = Pick<ConnectionProvider, "displayName" | "callbackMessage">;

/** Plain words for every code the callback can send back (the fixed list in errors.ts), about `name`. */
export function callbackErrorMessage(code: CallbackErrorCode, name: string): string {
  switch (code) {
    case "access_denied":
      return `You cancelled the connection at ${name}. Nothing was changed.`;
    case "missing_params":
      return `${name}'s answer was incomplete. Please try connecting again.`;
    case "invalid_request":
      return "That connection link was malformed. Please start again from this page.";
    case "invalid_state":
      return "This connection attempt expired or was started in another browser. Please try again.";
    case "token_exchange_failed":
      return `${name} didn't accept the sign-in. Please try connecting again.`;
    case "oauth_failed":
      return `We couldn't finish connecting your ${name} account. Please try again.`;
    case "account_already_linked":
      return `This ${name} account is already connected to another SocialFlow user.`;
    case "provider_error":
      return `${name} reported a problem with the request. Please try again later.`;
    case "no_account":
      return `That sign-in has no ${name} account to connect. Nothing was stored.`;
    case "server_error":
      return "Something went wrong on our side. Please try again.";
  }
}

export type Banner = { kind: "success" | "error"; message: string } | null;

/** The accounts page's query string: fixed codes and ids only, read by `bannerFor`. */
export interface BannerParams {
  /** A finished connection: the provider's slug (`success=<slug>`). */
  success?: string;
  /** `again=1`: that connection was a reconnect of an account already here. */
  again?: string;
  /** A callback error code (`error=<code>&provider=<slug>`). */
  error?: string;
  provider?: string;
  /** A finished disconnect: the provider's slug. */
  disconnected?: string;
}

/** The connected account as its row names it (the callback's `account=<id>`, looked up among the user's own). */
export interface BannerAccount {
  displayName: string;
  handle: string | null;
}

/**
 * The banner for the accounts page's query string. Unknown values show nothing or a fixed
 * message: the words come from fixed sentences, the provider's name and the user's own account
 * row, never from the query. `account`: undefined when the link names no account (an older
 * redirect), null when it names one the user does not have (disconnected since): no banner.
 */
export function bannerFor(
  params: BannerParams,
  providerBySlug: (slug: string) => BannerProvider | undefined,
  account?: BannerAccount | null,
): Banner {
  if (params.success !== undefined) {
    const provider = providerBySlug(params.success);
    if (provider) return account === null ? null : { kind: "success", message: connectedMessage(provider.displayName, account, params.again === "1") };
  }
  if (params.disconnected !== undefined) {
    const provider = providerBySlug(params.disconnected);
    if (provider) return { kind: "success", message: `Your ${provider.displayName} account is disconnected. SocialFlow no longer has access to it.` };
  }
  const code = params.error;
  if (!code) return null;
  const provider = params.provider === undefined ? undefined : providerBySlug(params.provider);
  const name = provider?.displayName ?? "the network";
  const known = (CALLBACK_ERROR_CODES as readonly string[]).includes(code) ? (code as CallbackErrorCode) : "oauth_failed";
  return { kind: "error", message: provider?.callbackMessage?.(known) ?? callbackErrorMessage(known, name) };
}

/** "Your TikTok account @ava is connected." / "@ava is connected again." / "Ava Sandbox reconnected." */
function connectedMessage(network: string, account: BannerAccount | undefined, again: boolean): string {
  if (!account) return `Your ${network} account is connected.`;
  if (again) return account.handle ? `${account.handle} is connected again.` : `${account.displayName} reconnected.`;
  return `Your ${network} account ${account.handle ?? account.displayName} is connected.`;
}
