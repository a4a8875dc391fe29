import { describe, expect, it } from "vitest";
import type { SocialAccountRow } from "@/lib/db/schema";
import { toAccountView } from "./view-model";
import { bannerFor, callbackErrorMessage } from "./banner-messages";
import { CALLBACK_ERROR_CODES } from "@/lib/connections/errors";
import { relativeTime } from "./relative-time";
import { accountRowAt } from "../../../tests/helpers/account-row";

const now = new Date("2026-06-01T12:00:00Z");
/** A provider as the view sees it (the core's tests use no real provider). */
const provider = {
  slug: "net",
  displayName: "Net",
  scopeLabels: { "video.list": "Your videos" },
  capabilityScopes: { recentVideos: ["video.list"], upload: ["video.upload"] },
};

const row = (over: Partial<SocialAccountRow> = {}): SocialAccountRow => accountRowAt(now, over);

describe("account view", () => {
  it("S21: without video.upload the account cannot post but still lists videos", () => {
    const view = toAccountView(row({ scopes: ["user.info.basic", "video.list"] }), now, provider);
    expect(view.canPost).toBe(false);
    expect(view.canListVideos).toBe(true);
  });
  it("partial permissions: scopes asked for and not granted are named in plain words per capability, only where the person can grant them", () => {
    const grantable = { ...provider, scopes: ["video.list", "video.upload", "user.stats"], missingScopesCanBeGranted: true, capabilityScopes: { ...provider.capabilityScopes, accountStats: ["user.stats"] } };
    const view = toAccountView(row({ scopes: ["video.list"] }), now, grantable);
    expect(view).toMatchObject({ statusLabel: "Missing permission", permissionMissing: true });
    expect(view.missingScopes.map((s) => s.id)).toEqual(["video.upload", "user.stats"]);
    expect(view.missingPermissionNotes).toEqual(["You didn't allow SocialFlow to upload videos to this account.", "Follower count not shared."]);
    // A scope behind no capability is named by its label (or a fixed phrase, never its raw id).
    const odd = toAccountView(row({ scopes: ["video.list", "video.upload"] }), now, { ...grantable, scopes: ["video.list", "video.upload", "x.unknown"] });
    expect(odd.missingPermissionNotes).toEqual(["You didn't allow SocialFlow: a permission it asked for."]);
    // Not grantable at this provider: nothing is "missing", the status stays Connected.
    expect(toAccountView(row({ scopes: ["video.list"] }), now, { ...grantable, missingScopesCanBeGranted: false })).toMatchObject({ statusLabel: "Connected", missingPermissionNotes: [] });
    // An expired account says Reconnect needed, whatever it lacks.
    expect(toAccountView(row({ scopes: ["video.list"], status: "EXPIRED" }), now, grantable)).toMatchObject({ statusLabel: "Reconnect needed", permissionMissing: false });
  });
  it("an expired account asks for reconnection", () => {
    expect(toAccountView(row({ status: "EXPIRED" }), now, provider)).toMatchObject({ health: "reconnect", statusLabel: "Reconnect needed" });
  });
  it("a lapsed token while the provider is unreachable says retrying, not expired", () => {
    const view = toAccountView(row({ refreshFailures: 2, tokenExpiry: new Date(now.getTime() - 1000) }), now, provider);
    expect(view.statusLabel).toBe("Net unreachable, retrying");
  });
  it("flags a refresh token that ends within two weeks", () => {
    expect(toAccountView(row({ refreshTokenExpiry: new Date(now.getTime() + 86_400_000) }), now, provider).refreshTokenEndsSoon).toBe(true);
    expect(toAccountView(row({ refreshTokenExpiry: new Date(now.getTime() + 20 * 86_400_000) }), now, provider).refreshTokenEndsSoon).toBe(false);
  });
  it("shows the sweeper's reconnect request", () => {
    expect(toAccountView(row({ reconnectRequestedAt: now }), now, provider).refreshTokenEndsSoon).toBe(true);
  });
  it("has plain words for every callback error code and reflects nothing unknown", () => {
    const lookup = (slug: string) => (slug === "net" ? provider : undefined);
    for (const code of CALLBACK_ERROR_CODES) {
      expect(bannerFor({ error: code, provider: "net" }, lookup)?.message).toBe(callbackErrorMessage(code, "Net"));
    }
    expect(bannerFor({ error: "<script>", provider: "<b>" }, lookup)?.message).not.toContain("<");
    expect(bannerFor({ success: "<script>" }, lookup)).toBeNull();
    expect(bannerFor({ success: "net" }, lookup)).toEqual({ kind: "success", message: "Your Net account is connected." });
    expect(bannerFor({}, lookup)).toBeNull();
  });
  it("S64: names the connected account from its row: new, again with a handle, again without one; an account no longer there gets no banner", () => {
    const lookup = (slug: string) => (slug === "net" ? provider : undefined);
    const ava = { displayName: "Ava Sandbox", handle: "@ava" };
    expect(bannerFor({ success: "net" }, lookup, ava)?.message).toBe("Your Net account @ava is connected.");
    expect(bannerFor({ success: "net" }, lookup, { ...ava, handle: null })?.message).toBe("Your Net account Ava Sandbox is connected.");
    expect(bannerFor({ success: "net", again: "1" }, lookup, ava)?.message).toBe("@ava is connected again.");
    expect(bannerFor({ success: "net", again: "1" }, lookup, { ...ava, handle: null })?.message).toBe("Ava Sandbox reconnected.");
    // Only "1" means again; anything else is a first connect, and nothing of it is shown.
    expect(bannerFor({ success: "net", again: "<b>yes</b>" }, lookup, ava)?.message).toBe("Your Net account @ava is connected.");
    expect(bannerFor({ success: "net" }, lookup, null)).toBeNull();
  });
  it("a disconnect is confirmed by a fixed sentence; an unknown provider slug shows nothing", () => {
    const lookup = (slug: string) => (slug === "net" ? provider : undefined);
    expect(bannerFor({ disconnected: "net" }, lookup)).toEqual({ kind: "success", message: "Your Net account is disconnected. SocialFlow no longer has access to it." });
    expect(bannerFor({ disconnected: "<script>" }, lookup)).toBeNull();
  });
  it("formats relative times", () => {
    expect(relativeTime(new Date(now.getTime() + 23 * 3_600_000), now)).toBe("in 23 hours");
    expect(relativeTime(new Date(now.getTime() - 5 * 60_000), now)).toBe("5 minutes ago");
  });
});
