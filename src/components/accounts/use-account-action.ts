"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ACCOUNT_UNAVAILABLE_MESSAGE } from "@/lib/connections/unavailable-message";

/** Plain words for the JSON error codes of the account routes. */
const ACTION_ERRORS: Record<string, string> = {
  not_found: "This account is no longer connected.",
  no_refresh_token: "TikTok gave no refresh token for this account: reconnect it.",
  reconnect_required: "TikTok ended this connection. Reconnect the account.",
  account_unavailable: ACCOUNT_UNAVAILABLE_MESSAGE,
  refresh_failed: "TikTok could not be reached. We'll keep retrying; try again in a moment.",
  refresh_throttled: "A refresh was tried moments ago. Try again in a minute.",
  unauthenticated: "Your session ended. Sign in again.",
  cross_site_request: "This request was refused for your safety. Reload the page and try again.",
  oauth_init_failed: "We couldn't start connecting to TikTok. Please try again.",
};

/** POSTs JSON to an account route, then re-renders the page or reports the error in words. */
export function useAccountAction() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run(path: string, body: unknown): Promise<Record<string, unknown> | null> {
    setPending(true);
    setError(null);
    try {
      const response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (!response.ok) {
        setError(ACTION_ERRORS[String(json.code)] ?? "Something went wrong. Please try again.");
        return null;
      }
      return json;
    } catch {
      setError("You appear to be offline. Check your connection and try again.");
      return null;
    } finally {
      setPending(false);
    }
  }

  return { run, pending, error, refreshPage: () => router.refresh() };
}
