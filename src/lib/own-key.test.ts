/**
 * S47: outside strings that name Object.prototype members go through the real mapping functions
 * and come out as the unknown/default outcome, never as an inherited function or object.
 */
import { describe, expect, it } from "vitest";
import { bannerFor, callbackErrorMessage } from "@/lib/connections/banner-messages";
import { authErrorMessage } from "@/lib/auth/messages";
import { TikTokApiError, knownTikTokErrorCode } from "@/lib/providers/tiktok/api-errors";
import { TikTokCallError } from "@/lib/providers/tiktok/call-errors";
import { checkChosenFile } from "@/lib/uploads/client-checks";
import type { MediaFacts } from "@/lib/uploads/media-probe";
import { outcomeMessage, STATE_MESSAGES } from "@/lib/uploads/outcome-messages";
import { errorCodeOf } from "@/lib/uploads/upload-service";
import { checkVideo } from "@/lib/uploads/video-rules";
import { isOwnKey, ownValue } from "./own-key";
import { GOOD_VIDEO_FACTS } from "../../tests/helpers/media-facts";

const PROTOTYPE_NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf", "__defineGetter__"];
const NO_REASON = "TikTok could not process the video and did not say why. Try again or check the TikTok app.";

const good = GOOD_VIDEO_FACTS;

describe.each(PROTOTYPE_NAMES)("S47: the outside string %s", (name) => {
  it("is not a known TikTok error code and maps by HTTP status alone", () => {
    expect(knownTikTokErrorCode(name)).toBe("unknown_error");
    expect(new TikTokApiError(name, 400).outcome).toBe("rejected");
    expect(new TikTokApiError(name, 500).outcome).toBe("transient");
    expect(new TikTokApiError(name, 429).outcome).toBe("rate_limited");
  });

  it("as a fail_reason or error code, gives the fixed default sentence", () => {
    expect(outcomeMessage({ state: "FAILED", failReason: name, errorCode: null, mode: "inbox" })).toBe(NO_REASON);
    expect(outcomeMessage({ state: "FAILED", failReason: null, errorCode: name, mode: "inbox" })).toBe(STATE_MESSAGES.FAILED);
    expect(outcomeMessage({ state: "REJECTED", failReason: null, errorCode: name, mode: "inbox" })).toBe(STATE_MESSAGES.REJECTED);
  });

  it("as TikTok's code on a refused call, is not taken as one of our posting errors", () => {
    expect(errorCodeOf(new TikTokCallError("rejected", { tiktokCode: name, status: 400 }))).toBe("rejected");
  });

  it("as a callback error or a Better Auth code, shows the generic message", () => {
    const lookup = (slug: string) => (slug === "tiktok" ? { displayName: "TikTok" } : undefined);
    expect(bannerFor({ error: name, provider: name }, lookup)).toEqual({ kind: "error", message: callbackErrorMessage("oauth_failed", "the network") });
    expect(bannerFor({ success: name }, lookup)).toBeNull();
    expect(authErrorMessage(name)).toBe("Something went wrong. Please try again.");
  });

  it("as a container or codec name read from a file, is an unsupported one", () => {
    const problem = (facts: MediaFacts, code: string) => {
      const check = checkVideo(facts, 1000);
      if (check.ok) throw new Error(`${name} was accepted`);
      return check.problems.find((p) => p.code === code)?.message;
    };
    expect(problem({ ...good, format: name }, "unsupported_container")).toContain("a format TikTok does not take");
    expect(problem({ ...good, videoFormat: name }, "unsupported_codec")).toContain("a codec TikTok does not take");
    expect(checkChosenFile({ name: `clip.${name.toLowerCase().replace(/_/g, "")}`, size: 10, type: "" }).ok).toBe(false);
  });

  it("is never an own key of a table", () => {
    expect(ownValue({ a: 1 }, name)).toBeUndefined();
    expect(isOwnKey({ a: 1 }, name)).toBe(false);
  });
});

describe("own-key lookups", () => {
  it("find own keys, including one literally named like a prototype member", () => {
    expect(ownValue({ a: 1 }, "a")).toBe(1);
    expect(ownValue(Object.fromEntries([["constructor", 2]]), "constructor")).toBe(2);
    expect(ownValue({ a: 1 }, null)).toBeUndefined();
    expect(isOwnKey({ a: 1 }, undefined)).toBe(false);
  });
});
