import { describe, expect, it } from "vitest";
import { privateAccountFrom } from "./privacy";

describe("private account, from creator_info's privacy_level_options", () => {
  it("offered PUBLIC_TO_EVERYONE → public; only followers / friends / self → private; an empty list → unknown", () => {
    expect(privateAccountFrom({ privacy_level_options: ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"] })).toBe(false);
    expect(privateAccountFrom({ privacy_level_options: ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"] })).toBe(true);
    expect(privateAccountFrom({ privacy_level_options: [] })).toBeUndefined();
  });
});
