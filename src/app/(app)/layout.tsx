import { headers } from "next/headers";
import { AppHeader } from "@/components/app-header";
import { getSessionUser } from "@/lib/auth";
import { redirectToSignIn } from "@/lib/auth/sign-in-redirect";
import { getConfig } from "@/lib/config/config";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const user = await getSessionUser(await headers());
  if (!user) redirectToSignIn(await headers());
  return (
    <>
      <AppHeader email={user.email} sandbox={getConfig().tiktok.sandbox} />
      <main className="mx-auto max-w-5xl px-4 py-8">{children}</main>
    </>
  );
}
