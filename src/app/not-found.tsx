import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { AppHeader } from "@/components/app-header";
import { NotFoundPanel } from "@/components/not-found-panel";
import { getSessionUser, type SessionUser } from "@/lib/auth";
import { getConfig } from "@/lib/config/config";

/**
 * An address that matches no page: the app shell with a way back instead of Next's bare 404.
 * A signed-in user gets the usual header and navigation; anyone else a sign-in link. A failing
 * session lookup only costs the header (this page must render whatever else is broken).
 */
export const metadata: Metadata = { title: "Page not found" };

export default async function NotFound() {
  let shell: { user: SessionUser; sandbox: boolean } | null = null;
  try {
    const user = await getSessionUser(await headers());
    if (user) shell = { user, sandbox: getConfig().tiktok.sandbox };
  } catch {
    shell = null;
  }
  return (
    <>
      {shell ? (
        <AppHeader email={shell.user.email} sandbox={shell.sandbox} />
      ) : (
        <header className="border-b border-slate-200 bg-white">
          <div className="mx-auto flex max-w-5xl items-center px-4 py-3">
            <Link href="/" className="text-lg font-semibold text-brand-600">
              SocialFlow
            </Link>
          </div>
        </header>
      )}
      <main className="mx-auto max-w-5xl px-4 py-8">
        <NotFoundPanel signedIn={shell !== null} />
      </main>
    </>
  );
}
