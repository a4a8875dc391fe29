import Link from "next/link";

/**
 * What a missing page says, with a way back: shared by the app shell's not-found (a page under
 * the signed-in area called notFound(), e.g. an account that is not yours or was disconnected)
 * and the root one (an address that matches no page at all).
 */
export function NotFoundPanel({ signedIn }: { signedIn: boolean }) {
  const primary = "rounded-lg bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700";
  const secondary = "rounded-lg border border-slate-300 bg-white px-4 py-2 font-medium text-slate-800 hover:bg-slate-50";
  return (
    <section aria-labelledby="not-found-title" className="mx-auto max-w-xl py-10">
      <p className="text-sm font-semibold text-brand-600">Page not found</p>
      <h1 id="not-found-title" className="mt-1 text-2xl font-semibold">
        There is nothing at this address
      </h1>
      <p className="mt-2 text-slate-600">
        {signedIn
          ? "The link may be mistyped, or it points to an account that is no longer connected to SocialFlow."
          : "The link may be mistyped, or the page needs you to sign in first."}
      </p>
      <div className="mt-6 flex flex-wrap gap-3">
        {signedIn ? (
          <>
            <Link href="/" className={primary}>
              Back to the Dashboard
            </Link>
            <Link href="/settings/accounts" className={secondary}>
              Settings → Accounts
            </Link>
          </>
        ) : (
          <>
            <Link href="/login" className={primary}>
              Sign in
            </Link>
            <Link href="/signup" className={secondary}>
              Create an account
            </Link>
          </>
        )}
      </div>
    </section>
  );
}
