"use client";
import { useEffect } from "react";
import type { Banner } from "@/lib/connections/banner-messages";

/**
 * The accounts page's one-time banner (after a connect, a disconnect or a failed callback). Once
 * shown, the query that asked for it is dropped from the address bar (history.replaceState, which
 * the App Router keeps in step), so a later refresh, disconnect or reload does not show it again.
 */
export function PageBanner({ banner }: { banner: NonNullable<Banner> }) {
  useEffect(() => {
    if (window.location.search) window.history.replaceState(window.history.state, "", window.location.pathname);
  }, []);
  return (
    <div
      role={banner.kind === "error" ? "alert" : "status"}
      data-testid="banner"
      className={`mt-6 rounded-xl px-4 py-3 text-sm ${banner.kind === "error" ? "bg-red-50 text-red-800" : "bg-emerald-50 text-emerald-800"}`}
    >
      {banner.message}
    </div>
  );
}
