import { brand } from "@/lib/errors/brand";
import type { OwnedAccount } from "./owned-accounts";
import type { VideoView } from "./video-view";

/** One page of an account's recent videos, whatever the network. */
export interface VideoPageView {
  videos: VideoView[];
  /** Opaque: the network's own cursor or page token as a string; null on the last page. */
  nextCursor: string | null;
}

/**
 * A provider's recent-videos capability as the route and page use it. Reached only with an
 * `OwnedAccount` (the ownership check has happened); a failure the user can act on is a
 * `ProviderCallError`, anything else is unexpected.
 */
export interface RecentVideosSource {
  page(account: OwnedAccount, cursor?: string): Promise<VideoPageView>;
  /** Entries cached for an account (tests: a disconnect or reconnect leaves none). */
  cachedPagesFor(accountId: string): number;
}

/** A cursor any network's would fit: the route refuses anything else before a provider sees it. */
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;

const CALL = brand("ProviderCallError");

/**
 * A data-plane call that did not succeed, already in the route's terms: its HTTP status, a
 * stable code and the provider's plain words for it (never anything from the provider's answer).
 */
export class ProviderCallError extends Error {
  /** Holds across copies of this module (see errors/brand.ts). */
  static [Symbol.hasInstance](value: unknown): boolean {
    return CALL.test(value);
  }
  override readonly name = "ProviderCallError";
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    /** Plain words for a person: fixed per code, written by the provider. */
    readonly userMessage: string,
    readonly retryAfterSec?: number,
  ) {
    super(`Provider call failed: ${code}`);
    CALL.mark(this);
  }
}
