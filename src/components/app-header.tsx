import Link from "next/link";
import { SignOutButton } from "./sign-out-button";

export function AppHeader({ email, sandbox }: { email: string; sandbox: boolean }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
        <Link href="/" className="text-lg font-semibold text-brand-600">
          SocialFlow
        </Link>
        {sandbox && (
          <span
            title="TikTok calls go to the local TikTok sandbox, not to TikTok"
            className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-800"
          >
            Sandbox
          </span>
        )}
        <nav aria-label="Main" className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          <Link href="/" className="text-slate-700 hover:text-slate-950">
            Dashboard
          </Link>
          <Link href="/settings/accounts" className="text-slate-700 hover:text-slate-950">
            Settings → Accounts
          </Link>
        </nav>
        <div className="ml-auto flex min-w-0 flex-wrap items-center justify-end gap-3 text-sm">
          <span className="min-w-0 text-slate-600 [overflow-wrap:anywhere]" data-testid="signed-in-user">
            {email}
          </span>
          <SignOutButton />
        </div>
      </div>
    </header>
  );
}
