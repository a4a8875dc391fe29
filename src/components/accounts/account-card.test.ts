import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import type { SocialAccountRow } from "@/lib/db/schema";
import { toAccountView } from "@/lib/connections/view-model";
import { TikTokProvider } from "@/lib/providers/tiktok/oauth-provider";
import { sandboxTikTokConfig } from "../../../tests/helpers/seed-accounts";
import { ACCOUNT_UNAVAILABLE_MESSAGE } from "@/lib/connections/unavailable-message";
import { AccountCard } from "./account-card";

// The card's buttons are client components using the App Router; rendered here outside it.
vi.mock("next/navigation", () => ({ useRouter: () => ({ refresh() {}, push() {}, replace() {} }) }));

const now = new Date("2026-06-01T12:00:00Z");
const provider = new TikTokProvider(sandboxTikTokConfig("http://127.0.0.1:9"));
const row = (over: Partial<SocialAccountRow> = {}): SocialAccountRow => ({
  id: "a1",
  userId: "u1",
  platform: "TIKTOK",
  platformUserId: "o1",
  unionId: null,
  displayName: "Ava",
  avatarUrl: null,
  scopes: ["user.info.basic", "video.list", "video.upload"],
  accessToken: "v1.x",
  refreshToken: "v1.y",
  tokenExpiry: new Date(now.getTime() + 3_600_000),
  // Its refresh token ends soon too: still no reconnect call to action while unavailable.
  refreshTokenExpiry: new Date(now.getTime() + 86_400_000),
  status: "ACTIVE",
  statusReason: null,
  lastRefreshedAt: now,
  refreshFailures: 0,
  nextRefreshAt: null,
  refreshLeaseId: null,
  refreshLeaseUntil: null,
  reconnectRequestedAt: null,
  manualRefreshAt: null,
  providerData: null,
  createdAt: now,
  updatedAt: now,
  ...over,
});

const render = (r: SocialAccountRow) => renderToStaticMarkup(createElement(AccountCard, { account: toAccountView(r, now, provider), events: [], now }));

describe("account card", () => {
  it("S60: an UNREADABLE account reads \"Temporarily unavailable\" in its own colour, with no Reconnect (nor Refresh) to press", () => {
    const view = toAccountView(row({ status: "UNREADABLE", statusReason: "token_unreadable" }), now, provider);
    expect(view).toMatchObject({ health: "unavailable", statusLabel: "Temporarily unavailable" });
    const html = render(row({ status: "UNREADABLE", statusReason: "token_unreadable" }));
    expect(html).toContain("Temporarily unavailable");
    expect(html).toContain(ACCOUNT_UNAVAILABLE_MESSAGE.replaceAll("'", "&#x27;"));
    expect(html).toContain("bg-slate-200");
    expect(html).not.toMatch(/Reconnect/);
    expect(html).not.toContain(">Refresh<");
    expect(html).toContain(">Disconnect<");
    expect(html).not.toContain("bg-red-100");
  });

  it("S60: an EXPIRED account still asks for a reconnect, in red", () => {
    const html = render(row({ status: "EXPIRED", statusReason: "refresh_token_invalid" }));
    expect(html).toContain("Reconnect needed");
    expect(html).toContain(">Reconnect<");
    expect(html).toContain("bg-red-100");
    expect(html).not.toContain("Temporarily unavailable");
  });
});
