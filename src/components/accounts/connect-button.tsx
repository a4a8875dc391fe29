"use client";
import { useAccountAction } from "./use-account-action";

/** Starts the TikTok connection: asks the server for TikTok's URL, then goes there. */
export function ConnectTikTokButton({ label = "Connect TikTok", variant = "primary" }: { label?: string; variant?: "primary" | "secondary" }) {
  const { run, pending, error } = useAccountAction();
  const style =
    variant === "primary"
      ? "bg-brand-600 text-white hover:bg-brand-700"
      : "border border-brand-600 text-brand-700 hover:bg-brand-50";
  return (
    <div>
      <button
        type="button"
        disabled={pending}
        onClick={async () => {
          const result = await run("/api/oauth/tiktok/authorize", {});
          if (result && typeof result.url === "string") window.location.assign(result.url);
        }}
        className={`rounded-lg px-4 py-2 font-medium disabled:opacity-60 ${style}`}
      >
        {pending ? "Opening TikTok…" : label}
      </button>
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
