import type { Metadata } from "next";

export const metadata: Metadata = { title: "Connected accounts" };

export default function AccountsPage() {
  return (
    <section>
      <h1 className="text-2xl font-semibold">Connected accounts</h1>
      <div className="mt-6 rounded-2xl border border-dashed border-slate-300 bg-white p-8 text-center">
        <p className="font-medium">No accounts connected yet</p>
        <button type="button" disabled className="mt-4 rounded-lg bg-slate-300 px-4 py-2 font-medium text-white">
          Connect TikTok
        </button>
      </div>
    </section>
  );
}
