"use client";
import { useAccountAction } from "./use-account-action";

/**
 * Starts a connection to a network: asks the server for the provider's authorize URL
 * (`/api/oauth/<slug>/authorize`), then goes there. Also "Reconnect" and "Grant permission":
 * both are a new connect of the same account.
 */
export function ConnectButton({
  provider,
  label,
  variant = "primary",
  scopes,
}: {
  provider: { slug: string; displayName: string };
  label?: string;
  variant?: "primary" | "secondary";
  /** "Grant permission": the missing scopes to ask for (the route accepts only the provider's own). */
  scopes?: string[];
}) {
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
          const result = await run(`/api/oauth/${encodeURIComponent(provider.slug)}/authorize`, scopes && scopes.length > 0 ? { scopes } : {});
          if (result && typeof result.url === "string") window.location.assign(result.url);
        }}
        className={`rounded-lg px-4 py-2 font-medium disabled:opacity-60 ${style}`}
      >
        {pending ? `Opening ${provider.displayName}…` : (label ?? `Connect ${provider.displayName}`)}
      </button>
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
