import { describe, expect, it } from "vitest";
import { youTubeError } from "./api-errors";

const envelope = (code: number, reason: string) => ({ error: { code, message: "<a href='x'>quota</a>", errors: [{ message: "m", domain: "d", reason }] } });

describe("YouTube's error envelope", () => {
  it.each([
    [401, "authError", "refresh_and_retry"],
    [403, "insufficientPermissions", "grant_permission"],
    [403, "quotaExceeded", "quota_exhausted"],
    [403, "rateLimitExceeded", "rate_limited"],
    [401, "youtubeSignupRequired", "no_channel"],
    [404, "playlistNotFound", "empty"],
    [400, "invalidPageToken", "rejected"],
    [503, "backendError", "transient"],
  ] as const)("%i %s → %s", (status, reason, outcome) => {
    const error = youTubeError(status, envelope(status, reason));
    expect(error).toMatchObject({ reason, status, outcome });
    expect(error.message).not.toContain("href");
  });

  it("prototype names and odd reasons fall back on the status, never on a prototype member", () => {
    expect(youTubeError(403, envelope(403, "constructor")).outcome).toBe("rejected");
    expect(youTubeError(403, envelope(403, "__proto__")).outcome).toBe("rejected");
    expect(youTubeError(429, envelope(429, "<script>")).reason).toBe("unknown");
    expect(youTubeError(502, "not json at all").outcome).toBe("transient");
  });
});
