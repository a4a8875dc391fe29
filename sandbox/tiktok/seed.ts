/**
 * Deterministic seed data: three test users with videos and creator info.
 *
 * Everything here is a pure function of constants (no clock, no Math.random), so two runs and two
 * processes see the same users and videos. Synthetic users (for load tests that need thousands of
 * distinct open_ids) are derived from their open_id the same way.
 */
import { hash32, hashHex, prng, syntheticColour } from "../kit/seed";
import type { SeedUser, SeedVideo } from "./types";

/** https, realistic, and never fetched (`.invalid` is reserved by RFC 2606). */
export const SANDBOX_CDN = "https://p16-sign.tiktokcdn-sandbox.invalid";

/** Newest seeded video: 2026-01-01T00:00:00Z. Fixed so video lists are stable across runs. */
const NEWEST_VIDEO_TIME = 1_767_225_600;

const PUBLIC_OPTIONS = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"];
/** Private accounts cannot post PUBLIC_TO_EVERYONE; TikTok offers followers instead. */
const PRIVATE_OPTIONS = ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"];

interface UserSpec {
  openId: string;
  displayName: string;
  username: string;
  bio: string;
  isVerified: boolean;
  isPrivate: boolean;
  maxVideoPostDurationSec: number;
  videoCount: number;
  colour: string;
  commentDisabled: boolean;
  duetDisabled: boolean;
  stitchDisabled: boolean;
}

function makeUser(spec: UserSpec): SeedUser {
  const rnd = prng(hash32(`user:${spec.openId}`));
  const followerCount = spec.videoCount === 0 ? 3 : Math.floor(1_000 + rnd() * 50_000);
  return {
    openId: spec.openId,
    unionId: `${spec.openId}-union`,
    displayName: spec.displayName,
    username: spec.username,
    avatarUrl: defaultAvatarUrl(spec.openId, "720x720"),
    avatarPath: `/avatars/${spec.openId}.svg`,
    bio: spec.bio,
    isVerified: spec.isVerified,
    followerCount,
    followingCount: Math.floor(10 + rnd() * 500),
    likesCount: spec.videoCount === 0 ? 0 : Math.floor(followerCount * (2 + rnd() * 10)),
    isPrivate: spec.isPrivate,
    privacyLevelOptions: spec.isPrivate ? [...PRIVATE_OPTIONS] : [...PUBLIC_OPTIONS],
    maxVideoPostDurationSec: spec.maxVideoPostDurationSec,
    commentDisabled: spec.commentDisabled,
    duetDisabled: spec.duetDisabled,
    stitchDisabled: spec.stitchDisabled,
    colour: spec.colour,
    videoCount: spec.videoCount,
  };
}

export function defaultAvatarUrl(openId: string, size: string): string {
  return `${SANDBOX_CDN}/tos-sandbox-avt/${size}/${encodeURIComponent(openId)}.jpeg`;
}

/** The three seeded users. Order matters: the consent page lists them in this order. */
export const SEED_USERS: readonly SeedUser[] = Object.freeze([
  makeUser({
    openId: "sbx-ava-0001",
    displayName: "Ava Sandbox",
    username: "ava.sandbox",
    bio: "Baking, bikes and the odd dance. Sandbox account #1.",
    isVerified: true,
    isPrivate: false,
    maxVideoPostDurationSec: 600,
    videoCount: 25,
    colour: "#fe2c55",
    commentDisabled: false,
    duetDisabled: false,
    stitchDisabled: false,
  }),
  makeUser({
    openId: "sbx-ben-0002",
    displayName: "Ben Private",
    username: "ben.private",
    bio: "Private account for testing unaudited posting. Sandbox account #2.",
    isVerified: false,
    isPrivate: true,
    maxVideoPostDurationSec: 180,
    videoCount: 27,
    colour: "#25f4ee",
    commentDisabled: false,
    duetDisabled: true,
    stitchDisabled: true,
  }),
  makeUser({
    openId: "sbx-cleo-0003",
    displayName: "Cleo Empty",
    username: "cleo.empty",
    bio: "",
    isVerified: false,
    isPrivate: false,
    maxVideoPostDurationSec: 300,
    videoCount: 0,
    colour: "#7c3aed",
    commentDisabled: true,
    duetDisabled: false,
    stitchDisabled: false,
  }),
]);

const SEED_BY_OPEN_ID = new Map(SEED_USERS.map((u) => [u.openId, u]));

export function seededUser(openId: string): SeedUser | undefined {
  return SEED_BY_OPEN_ID.get(openId);
}

/**
 * A deterministic user for any other open_id (load tests create thousands of accounts through
 * issueTokensDirectly). 25 videos; a PRIVATE account when the open_id contains "private"
 * (so tests of the unaudited-client rules can create many private accounts).
 */
export function syntheticUser(openId: string): SeedUser {
  const h = hashHex(openId);
  return makeUser({
    openId,
    displayName: `Load User ${h.slice(0, 6)}`,
    username: `load_${h}`,
    bio: "Synthetic sandbox user.",
    isVerified: false,
    isPrivate: /private/i.test(openId),
    maxVideoPostDurationSec: 600,
    videoCount: 25,
    colour: syntheticColour(openId),
    commentDisabled: false,
    duetDisabled: false,
    stitchDisabled: false,
  });
}

const TITLES = [
  "Morning routine but make it chaotic",
  "Sourdough attempt #{n} 🍞",
  "Trying the viral pasta recipe",
  "POV: the bike lane is finally finished",
  "Day {n} of learning the ukulele",
  "This sunset though 🌅",
  "Rating every coffee shop on my street",
  "Tiny apartment tour",
  "Dance challenge (please be kind)",
  "What I eat in a day #{n}",
  "Rainy day vibes",
  "Unboxing the thing everyone asked about",
];

/**
 * Videos for a user, newest first. create_time values are distinct and strictly decreasing, which
 * makes the millisecond cursor of /v2/video/list/ unambiguous.
 */
export function videosFor(user: SeedUser): SeedVideo[] {
  const rnd = prng(hash32(`videos:${user.openId}`));
  const out: SeedVideo[] = [];
  let t = NEWEST_VIDEO_TIME - Math.floor(rnd() * 86_400);
  for (let i = 0; i < user.videoCount; i++) {
    const idTail = Math.floor(rnd() * 1e15).toString().padStart(15, "0");
    const id = `73${String(i).padStart(2, "0")}${idTail}`;
    const template = TITLES[i % TITLES.length] ?? "Video";
    const title = template.replace("{n}", String(user.videoCount - i));
    const views = Math.floor(200 + rnd() * 250_000);
    const duration = Math.max(3, Math.floor(5 + rnd() * Math.min(user.maxVideoPostDurationSec, 180)));
    const shareUrl = `https://www.tiktok.com/@${user.username}/video/${id}`;
    out.push({
      id,
      title,
      video_description: `${title} #sandbox`,
      cover_image_url: `${SANDBOX_CDN}/tos-sandbox-cover/${id}~tplv-noop.image`,
      share_url: shareUrl,
      embed_link: `https://www.tiktok.com/player/v1/${id}`,
      embed_html: `<blockquote class="tiktok-embed" cite="${shareUrl}" data-video-id="${id}"></blockquote>`,
      create_time: t,
      duration,
      height: 1920,
      width: 1080,
      view_count: views,
      like_count: Math.floor(views * (0.02 + rnd() * 0.1)),
      comment_count: Math.floor(views * rnd() * 0.01),
      share_count: Math.floor(views * rnd() * 0.005),
    });
    // 1–4 days between posts, never equal.
    t -= 86_400 + Math.floor(rnd() * 3 * 86_400) + 1;
  }
  return out;
}
