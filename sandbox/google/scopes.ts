/**
 * Scope names as Google reads and writes them
 * (https://developers.google.com/identity/protocols/oauth2/scopes): requested space-separated;
 * `email` and `profile` are short for the userinfo.* URLs. The callback's `scope` lists the short
 * names the app asked for AND the URLs they stand for; the token endpoint's `scope` lists URLs
 * (plus `openid`). Order is not guaranteed by Google; the sandbox keeps a fixed one.
 */
import { KNOWN_SCOPES, isScope, isSignInScope, type Scope } from "./types";

const G = "https://www.googleapis.com/auth/";
const SHORT: Readonly<Record<string, Scope>> = Object.freeze({ email: `${G}userinfo.email`, profile: `${G}userinfo.profile` });

export function canonicalScope(s: string): Scope | undefined {
  const short = Object.hasOwn(SHORT, s) ? SHORT[s] : undefined;
  if (short !== undefined) return short;
  return isScope(s) ? s : undefined;
}

export interface ParsedScopes {
  /** Canonical, de-duplicated, in request order. */
  scopes: Scope[];
  /** Short names used in the request (echoed in the callback's scope). */
  shortNames: string[];
  unknown: string[];
}

export function parseScopeParam(raw: string): ParsedScopes {
  const scopes: Scope[] = [];
  const shortNames: string[] = [];
  const unknown: string[] = [];
  for (const part of raw.split(/\s+/).filter(Boolean)) {
    const c = canonicalScope(part);
    if (c === undefined) unknown.push(part);
    else {
      if (!scopes.includes(c)) scopes.push(c);
      if (Object.hasOwn(SHORT, part) && !shortNames.includes(part)) shortNames.push(part);
    }
  }
  return { scopes, shortNames, unknown };
}

const ORDER = new Map<string, number>(KNOWN_SCOPES.map((s, i) => [s, isSignInScope(s) ? 100 + i : i]));

function ordered(scopes: Iterable<Scope>): Scope[] {
  return [...new Set(scopes)].sort((a, b) => (ORDER.get(a) ?? 0) - (ORDER.get(b) ?? 0));
}

/** The token endpoint's `scope`: API scopes, then openid and the userinfo URLs. */
export function tokenScope(scopes: Iterable<Scope>): string {
  return ordered(scopes).join(" ");
}

/** The callback's `scope`: short names first (`email profile`), then what tokenScope lists. */
export function callbackScope(scopes: Iterable<Scope>, shortNames: readonly string[]): string {
  const set = new Set(scopes);
  const shorts = shortNames.filter((s) => {
    const c = canonicalScope(s);
    return c !== undefined && set.has(c);
  });
  return [...shorts, ...ordered(set)].join(" ");
}

/** Plain-words lines of the consent screen, after Google's own wording. */
export const SCOPE_DESCRIPTIONS: Readonly<Record<Scope, string>> = Object.freeze({
  openid: "Associate you with your personal info on Google",
  [`${G}userinfo.email`]: "See your primary Google Account email address",
  [`${G}userinfo.profile`]: "See your personal info, including any personal info you've made publicly available",
  [`${G}youtube`]: "Manage your YouTube account",
  [`${G}youtube.readonly`]: "View your YouTube account",
  [`${G}youtube.upload`]: "Manage your YouTube videos",
  [`${G}youtube.force-ssl`]: "See, edit, and permanently delete your YouTube videos, ratings, comments and captions",
  [`${G}youtubepartner`]: "View and manage your assets and associated content on YouTube",
  [`${G}yt-analytics.readonly`]: "View YouTube Analytics reports for your YouTube content",
});
