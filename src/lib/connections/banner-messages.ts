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

/**
 * The banner for the accounts page's query string (`success=<slug>` or `error=<code>&provider=<slug>`);
 * unknown values show nothing or a fixed message (never reflected).
 */
export function bannerFor(
  params: { success?: string; error?: string; provider?: string },
  providerBySlug: (slug: string) => BannerProvider | undefined,
): Banner {
  if (params.success !== undefined) {
    const provider = providerBySlug(params.success);
    if (provider) return { kind: "success", message: `Your ${provider.displayName} account is connected.` };
  }
  const code = params.error;
  if (!code) return null;
  const provider = params.provider === undefined ? undefined : providerBySlug(params.provider);
  const name = provider?.displayName ?? "the network";
  const known = (CALLBACK_ERROR_CODES as readonly string[]).includes(code) ? (code as CallbackErrorCode) : "oauth_failed";
  return { kind: "error", message: provider?.callbackMessage?.(known) ?? callbackErrorMessage(known, name) };
}
