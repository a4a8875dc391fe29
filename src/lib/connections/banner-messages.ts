import { CALLBACK_ERROR_CODES, type CallbackErrorCode } from "@/lib/connections/errors";

/** Plain words for every code the callback can send back (the fixed list in oauth/errors.ts). */
export const CALLBACK_ERROR_MESSAGES: Record<CallbackErrorCode, string> = {
  access_denied: "You cancelled the connection at TikTok. Nothing was changed.",
  missing_params: "TikTok's answer was incomplete. Please try connecting again.",
  invalid_request: "That connection link was malformed. Please start again from this page.",
  invalid_state: "This connection attempt expired or was started in another browser. Please try again.",
  token_exchange_failed: "TikTok didn't accept the sign-in. Please try connecting again.",
  oauth_failed: "We couldn't finish connecting your TikTok account. Please try again.",
  account_already_linked: "This TikTok account is already connected to another SocialFlow user.",
  provider_error: "TikTok reported a problem with the request. Please try again later.",
  server_error: "Something went wrong on our side. Please try again.",
};

export type Banner = { kind: "success" | "error"; message: string } | null;

/** The banner for the accounts page's query string; unknown values show nothing (never reflected). */
export function bannerFor(params: { success?: string; error?: string }): Banner {
  if (params.success === "tiktok") return { kind: "success", message: "Your TikTok account is connected." };
  const code = params.error;
  if (code && (CALLBACK_ERROR_CODES as readonly string[]).includes(code)) {
    return { kind: "error", message: CALLBACK_ERROR_MESSAGES[code as CallbackErrorCode] };
  }
  if (code) return { kind: "error", message: CALLBACK_ERROR_MESSAGES.oauth_failed };
  return null;
}
