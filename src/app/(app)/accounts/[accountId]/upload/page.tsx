import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { getSessionUser } from "@/lib/auth";
import { redirectToSignIn } from "@/lib/auth/sign-in-redirect";
import { getUploadServices } from "@/lib/uploads/runtime";
import { getUploadConfig } from "@/lib/uploads/upload-config";
import { getDb } from "@/lib/db";
import { accountsOf } from "@/lib/connections/owned-accounts";
import { ERROR_MESSAGES } from "@/lib/uploads/outcome-messages";
import { UploadForm } from "@/components/uploads/upload-form";
import { UploadHistory } from "@/components/uploads/upload-history";

export const metadata: Metadata = { title: "Upload a video" };
export const dynamic = "force-dynamic";

export default async function UploadPage({ params }: { params: Promise<{ accountId: string }> }) {
  const { accountId } = await params;
  const user = await getSessionUser(await headers());
  if (!user) redirectToSignIn(await headers());
  const account = await accountsOf(await getDb(), user.id).get(accountId);
  if (!account) notFound();
  const { service } = await getUploadServices();
  const options = await service.postingOptions(account);
  const history = await service.list(account);

  return (
    <section>
      <Link href="/settings/accounts" className="text-sm text-brand-600 hover:underline">
        ← Connected accounts
      </Link>
      <h1 className="mt-2 text-2xl font-semibold">Upload a video · {options.displayName}</h1>
      <div className="mt-6">
        {options.reconnect ? (
          <p role="alert" className="rounded-xl bg-red-50 p-4 text-sm text-red-800">
            {ERROR_MESSAGES.reconnect_required}
          </p>
        ) : options.unavailable ? (
          <p role="status" data-testid="account-unavailable" className="rounded-xl bg-slate-100 p-4 text-sm text-slate-800">
            {ERROR_MESSAGES.account_unavailable}
          </p>
        ) : !options.inbox && !options.direct ? (
          <p role="note" data-testid="posting-approval-notice" className="rounded-xl bg-sky-50 p-4 text-sm text-sky-900">
            {ERROR_MESSAGES.posting_not_approved}
          </p>
        ) : (
          <UploadForm accountId={accountId} options={options} maxBytes={getUploadConfig().maxBytes} />
        )}
      </div>
      <h2 className="mt-10 text-lg font-semibold">Past uploads</h2>
      <div className="mt-3">
        <UploadHistory uploads={history} now={new Date()} />
      </div>
    </section>
  );
}
