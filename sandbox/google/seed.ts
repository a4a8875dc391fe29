/**
 * Deterministic seed data: the accounts of the chooser, their channels and uploads.
 *
 * Pure functions of constants (no clock, no Math.random): every run and every process sees the
 * same accounts, channel ids and videos. Synthetic accounts (addTestUsers, issueTokensDirectly)
 * are derived from their id the same way.
 */
import { hash32, hashHex, prng, syntheticColour } from "../kit/seed";
import type { SeedAccount, SeedChannel, SeedVideo } from "./types";

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** `n` base64url characters derived from `seed`. */
function idChars(seed: string, n: number): string {
  const rnd = prng(hash32(seed));
  let out = "";
  for (let i = 0; i < n; i++) out += B64URL[Math.floor(rnd() * 64)];
  return out;
}

/** A 21-digit Google account id (`sub`). */
function subFor(id: string): string {
  const rnd = prng(hash32(`sub:${id}`));
  let out = "1";
  for (let i = 0; i < 20; i++) out += String(Math.floor(rnd() * 10));
  return out;
}

/** Channel ids are `UC` + 22 characters; the uploads playlist is conventionally `UU` + the same 22. */
export function channelIdFor(accountId: string): string {
  return `UC${idChars(`channel:${accountId}`, 22)}`;
}

export function uploadsPlaylistId(channelId: string): string {
  return `UU${channelId.slice(2)}`;
}

interface ChannelSpec {
  title: string;
  description: string;
  handle: string | undefined;
  publishedAt: string;
  country: string | undefined;
  subscriberCount: number;
  hiddenSubscriberCount: boolean;
  videoCount: number;
  brand: boolean;
}

function makeChannel(accountId: string, colour: string, spec: ChannelSpec): SeedChannel {
  const rnd = prng(hash32(`views:${accountId}`));
  return {
    id: channelIdFor(accountId),
    title: spec.title,
    description: spec.description,
    customUrl: spec.handle,
    publishedAt: spec.publishedAt,
    country: spec.country,
    subscriberCount: spec.subscriberCount,
    hiddenSubscriberCount: spec.hiddenSubscriberCount,
    viewCount: spec.videoCount === 0 ? 0 : Math.floor(spec.videoCount * (2_000 + rnd() * 8_000)),
    videoCount: spec.videoCount,
    brand: spec.brand,
    colour,
  };
}

interface AccountSpec {
  id: string;
  email: string;
  name: string;
  hd?: string;
  managedBy?: string;
  colour: string;
  channel?: ChannelSpec;
}

function makeAccount(spec: AccountSpec): SeedAccount {
  return {
    id: spec.id,
    sub: subFor(spec.id),
    email: spec.email,
    name: spec.name,
    hd: spec.hd,
    managedBy: spec.managedBy,
    channel: spec.channel === undefined ? undefined : makeChannel(spec.id, spec.colour, spec.channel),
    colour: spec.colour,
  };
}

/**
 * The seeded accounts, in chooser order:
 * 1. Ada, a consumer account with a personal channel (30 uploads, a handle);
 * 2. Ada's Workshop, a Brand Account managed by Ada (8 uploads, subscriber count hidden);
 * 3. Ben, a Workspace account (hd) whose channel has no uploads and no handle;
 * 4. Nora, a Google identity with no YouTube channel at all.
 */
export const SEED_ACCOUNTS: readonly SeedAccount[] = Object.freeze([
  makeAccount({
    id: "gsb-ada-0001",
    email: "ada.sandbox@example.com",
    name: "Ada Sandbox",
    colour: "#c00",
    channel: {
      title: "Ada Makes Things",
      description: "Woodwork, electronics and the occasional disaster. Sandbox channel #1.",
      handle: "@adamakesthings",
      publishedAt: "2015-03-01T12:00:00Z",
      country: "GB",
      subscriberCount: 1_234,
      hiddenSubscriberCount: false,
      videoCount: 30,
      brand: false,
    },
  }),
  makeAccount({
    id: "gsb-adabrand-0002",
    // Brand Accounts have a pages.plusgoogle.com address of their own.
    email: "adas-workshop-4217@pages.plusgoogle.com",
    name: "Ada's Workshop",
    managedBy: "gsb-ada-0001",
    colour: "#1a73e8",
    channel: {
      title: "Ada's Workshop",
      description: "The Brand Account channel Ada runs with two friends. Sandbox channel #2.",
      handle: "@adasworkshop",
      publishedAt: "2019-06-15T09:30:00Z",
      country: undefined,
      subscriberCount: 48_765,
      hiddenSubscriberCount: true,
      videoCount: 8,
      brand: true,
    },
  }),
  makeAccount({
    id: "gsb-ben-0003",
    email: "ben@studio.example",
    name: "Ben Studio",
    hd: "studio.example",
    colour: "#188038",
    channel: {
      title: "Ben Just Started",
      description: "",
      handle: undefined,
      publishedAt: "2026-08-20T18:00:00Z",
      country: undefined,
      subscriberCount: 0,
      hiddenSubscriberCount: false,
      videoCount: 0,
      brand: false,
    },
  }),
  makeAccount({
    id: "gsb-nora-0004",
    email: "nora.nochannel@example.com",
    name: "Nora No-Channel",
    colour: "#9334e6",
  }),
]);

const SEED_BY_ID = new Map(SEED_ACCOUNTS.map((a) => [a.id, a]));

export function seededAccount(id: string): SeedAccount | undefined {
  return SEED_BY_ID.get(id);
}

/** A deterministic account with a channel of 25 uploads, for any other id (load tests). */
export function syntheticAccount(id: string): SeedAccount {
  const h = hashHex(id);
  const colour = syntheticColour(id);
  return makeAccount({
    id,
    email: `${id.toLowerCase()}@example.com`,
    name: `Load User ${h.slice(0, 6)}`,
    colour,
    channel: {
      title: `Load Channel ${h.slice(0, 6)}`,
      description: "Synthetic sandbox channel.",
      handle: `@load${h}`,
      publishedAt: "2020-01-01T00:00:00Z",
      country: undefined,
      subscriberCount: 1_000 + (hash32(`s:${id}`) % 900_000),
      hiddenSubscriberCount: false,
      videoCount: 25,
      brand: false,
    },
  });
}

/** Subscriber counts are reported rounded DOWN to three significant figures (YouTube, since 2019-09-10). */
export function roundSubscribers(n: number): number {
  if (n < 1000) return n;
  const scale = 10 ** (Math.floor(Math.log10(n)) - 2);
  return Math.floor(n / scale) * scale;
}

const TITLES = [
  "Building a workbench from pallets",
  "Soldering 101 (part {n})",
  "I tried the viral dovetail trick",
  "Shop tour {n}",
  "Fixing a 1970s radio",
  "Why my glue-up failed",
  "Laser cutter unboxing",
  "10 tools I actually use",
];

/** Newest upload: 2026-09-01T15:00:07Z. Fixed so lists are stable across runs. */
const NEWEST_UPLOAD_MS = Date.UTC(2026, 8, 1, 15, 0, 7);

/** ISO-8601 durations as YouTube writes them: PT4M13S, PT45S, PT1H2M, PT1H0M5S, P1DT2H3M… */
export function isoDuration(totalSec: number): string {
  const d = Math.floor(totalSec / 86_400);
  const h = Math.floor((totalSec % 86_400) / 3600);
  const m = Math.floor((totalSec % 3600) / 60);
  const s = totalSec % 60;
  let out = d > 0 ? `P${d}DT` : "PT";
  if (h > 0) out += `${h}H`;
  if (m > 0 || (h > 0 && s > 0)) out += `${m}M`;
  if (s > 0 || totalSec === 0) out += `${s}S`;
  if (d > 0 && h === 0 && m === 0 && s === 0) out = `P${d}D`;
  return out;
}

/**
 * Uploads of a channel, newest first. Every 7th video has its likes hidden, every 5th has
 * comments off, the 3rd is private (no videoPublishedAt), the 4th is a 1 h+ stream recording and
 * the 6th a Short; only every other video has the `standard`/`maxres` thumbnails.
 */
export function videosFor(account: SeedAccount): SeedVideo[] {
  const channel = account.channel;
  if (channel === undefined) return [];
  const rnd = prng(hash32(`videos:${account.id}`));
  const out: SeedVideo[] = [];
  let t = NEWEST_UPLOAD_MS - Math.floor(rnd() * 86_400) * 1000;
  for (let i = 0; i < channel.videoCount; i++) {
    const id = idChars(`video:${account.id}:${i}`, 11);
    const title = (TITLES[i % TITLES.length] ?? "Video").replace("{n}", String(channel.videoCount - i));
    const views = Math.floor(100 + rnd() * 120_000);
    let seconds = Math.floor(60 + rnd() * 900);
    if (i === 3) seconds = 3_600 + 125;
    if (i === 5) seconds = 45;
    const iso = new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
    const privacyStatus = i === 2 ? "private" : "public";
    out.push({
      id,
      title,
      description: `${title}. Filmed in the sandbox workshop.`,
      addedAt: iso,
      publishedAt: privacyStatus === "private" ? undefined : iso,
      privacyStatus,
      duration: isoDuration(seconds),
      definition: i % 4 === 3 ? "sd" : "hd",
      viewCount: views,
      likeCount: Math.floor(views * (0.02 + rnd() * 0.06)),
      commentCount: Math.floor(views * rnd() * 0.005),
      likesHidden: i % 7 === 6,
      commentsDisabled: i % 5 === 4,
      tags: ["sandbox", i % 2 === 0 ? "diy" : "tools"],
      bigThumbnails: i % 2 === 0,
    });
    t -= 86_400_000 + Math.floor(rnd() * 4 * 86_400) * 1000 + 1000;
  }
  return out;
}
