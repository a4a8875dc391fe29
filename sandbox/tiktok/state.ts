/**
 * All mutable sandbox state: clock, codes, token families, publishes, counters, log, faults.
 *
 * Every lookup is a Map access (the refresh benchmark runs >1000 refreshes/s), and every
 * check-then-mutate happens synchronously, so two concurrent requests for the same code or refresh
 * token are decided atomically by the event loop: exactly one wins (https://developers.tiktok.com/doc/oauth-user-access-token-management).
 */
import { createHash, randomBytes, type Hash } from "node:crypto";
import { SandboxStateBase } from "../kit/state";
import { defaultOptions, mergeOptions } from "./options";
import { SlidingWindowLimiter } from "./rate-limit";
import { seededUser, syntheticUser, videosFor, SEED_USERS } from "./seed";
import {
  ENDPOINTS,
  type EndpointName,
  type Fault,
  type IssuedTokens,
  type PublishStatus,
  type ResolvedOptions,
  type SandboxClient,
  type SandboxOptionsInput,
  type Scope,
  type SeedUser,
  type SeedVideo,
  type TokenState,
} from "./types";

/** One user's consent to one client: every access/refresh token pair descends from it. */
export interface Grant {
  id: number;
  clientKey: string;
  openId: string;
  scopes: ReadonlySet<Scope>;
  /** Comma-separated, as TikTok returns it in `scope`. */
  scope: string;
  /** Expiry of the newest refresh token of the family (ms, sandbox clock). */
  refreshExpiresAt: number;
  revoked: boolean;
}

interface AccessTokenRecord {
  grant: Grant;
  expiresAt: number;
}

interface RefreshTokenRecord {
  grant: Grant;
  expiresAt: number;
  rotated: boolean;
}

export interface CodeRecord {
  clientKey: string;
  openId: string;
  scopes: Scope[];
  redirectUri: string;
  codeChallenge: string | undefined;
  expiresAt: number;
  used: boolean;
  /** The grant issued with this code, revoked if the code is replayed (RFC 6749 §4.1.2). */
  grant: Grant | undefined;
}

export interface Publish {
  publishId: string;
  kind: "inbox" | "direct";
  source: "FILE_UPLOAD" | "PULL_FROM_URL";
  openId: string;
  clientKey: string;
  privacyLevel: string | undefined;
  createdAt: number;
  // FILE_UPLOAD
  uploadId: string;
  uploadToken: string;
  uploadExpiresAt: number;
  videoSize: number;
  chunkSize: number;
  totalChunkCount: number;
  nextOffset: number;
  chunksReceived: number;
  chunkInFlight: boolean;
  hash: Hash | undefined;
  /** When the last byte arrived (FILE_UPLOAD) or when init happened (PULL_FROM_URL). */
  readyAt: number | undefined;
  failure: { reason: string; at: number } | undefined;
  /** Cached final status once reached, so it is stable. */
  finalStatus: PublishStatus | undefined;
}

function token(prefix: string): string {
  // Real TikTok tokens look like `act.<random>!1234.va`; keep the `!` so clients that mangle
  // reserved characters fail here and not in production.
  const b = randomBytes(32);
  const digits = String(b.readUInt16BE(30) % 10_000).padStart(4, "0");
  return `${prefix}${b.subarray(0, 30).toString("base64url")}!${digits}.va`;
}

/**
 * Real codes look like `…kZlHmyGLqW2ZjCVLf8bCS7ZVRuwa4RvqyUpR7c*0!4957.va`: `*` and `!` are
 * reserved characters a callback handler must decode exactly once (docs/security.md S13).
 */
function authorizationCode(): string {
  const b = randomBytes(50);
  const digits = String(b.readUInt16BE(48) % 10_000).padStart(4, "0");
  return `${b.subarray(0, 48).toString("base64url")}*0!${digits}.va`;
}

export class SandboxState extends SandboxStateBase<ResolvedOptions, SandboxOptionsInput, EndpointName, Fault, TokenState> {
  readonly codes = new Map<string, CodeRecord>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private readonly grantsByOpenId = new Map<string, Grant[]>();
  private grantSeq = 0;

  readonly publishes = new Map<string, Publish>();
  readonly publishesByUpload = new Map<string, Publish>();
  /** openId → inbox publishes, for the 5-pending-shares-per-24 h cap. */
  readonly inboxByOpenId = new Map<string, Publish[]>();
  /** clientKey → openId → last direct-post init (unaudited 5-users-per-day cap). */
  readonly unauditedPosters = new Map<string, Map<string, number>>();

  private readonly syntheticUsers = new Map<string, SeedUser>();
  /** Synthetic users added as test accounts: listed on the consent page beside the seeded ones. */
  private readonly testUsers = new Map<string, SeedUser>();
  private readonly videoCache = new Map<string, SeedVideo[]>();

  readonly limiter = new SlidingWindowLimiter();

  constructor(input: SandboxOptionsInput) {
    super(input, { defaults: defaultOptions, merge: mergeOptions, endpoints: ENDPOINTS });
  }

  // --- reset (clock, options, faults, counters and log: the kit's) ---------------------------

  override reset(): void {
    super.reset();
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.grantsByOpenId.clear();
    this.publishes.clear();
    this.publishesByUpload.clear();
    this.inboxByOpenId.clear();
    this.unauditedPosters.clear();
    this.syntheticUsers.clear();
    this.testUsers.clear();
    this.videoCache.clear();
    this.limiter.clear();
  }

  client(clientKey: string): SandboxClient | undefined {
    return this.options.clients.find((c) => c.clientKey === clientKey);
  }

  // --- users ----------------------------------------------------------------------------------

  /** Seeded users, or a synthetic user for an open_id created by issueTokensDirectly. */
  user(openId: string): SeedUser | undefined {
    return seededUser(openId) ?? this.syntheticUsers.get(openId);
  }

  ensureUser(openId: string): SeedUser {
    const existing = this.user(openId);
    if (existing) return existing;
    const created = syntheticUser(openId);
    this.syntheticUsers.set(openId, created);
    return created;
  }

  /** The accounts a person can pick on the consent page: the seeded ones, then added test users. */
  seedUsers(): SeedUser[] {
    return [...SEED_USERS, ...this.testUsers.values()].map((u) => ({ ...u, privacyLevelOptions: [...u.privacyLevelOptions] }));
  }

  /**
   * Adds synthetic users as test accounts (as a TikTok developer adds target users to a sandbox
   * app), so load tests can run many distinct consent flows. Idempotent.
   */
  addTestUsers(openIds: readonly string[]): void {
    for (const openId of openIds) {
      if (seededUser(openId)) continue;
      this.testUsers.set(openId, this.ensureUser(openId));
    }
  }

  videos(user: SeedUser): SeedVideo[] {
    let v = this.videoCache.get(user.openId);
    if (v === undefined) {
      v = videosFor(user);
      this.videoCache.set(user.openId, v);
    }
    return v;
  }

  // --- codes ----------------------------------------------------------------------------------

  issueCode(rec: Omit<CodeRecord, "used" | "grant" | "expiresAt">): string {
    const code = authorizationCode();
    this.codes.set(code, { ...rec, expiresAt: this.now() + this.options.codeTtlSec * 1000, used: false, grant: undefined });
    return code;
  }

  // --- tokens ---------------------------------------------------------------------------------

  /** Starts a new token family (code exchange or issueTokensDirectly). */
  issueGrant(clientKey: string, openId: string, scopes: readonly Scope[]): { grant: Grant; tokens: IssuedTokens } {
    const now = this.now();
    const unique = [...new Set(scopes)];
    const grant: Grant = {
      id: ++this.grantSeq,
      clientKey,
      openId,
      scopes: new Set(unique),
      scope: unique.join(","),
      refreshExpiresAt: now + this.options.refreshTokenTtlSec * 1000,
      revoked: false,
    };
    let list = this.grantsByOpenId.get(openId);
    if (list === undefined) {
      list = [];
      this.grantsByOpenId.set(openId, list);
    }
    list.push(grant);
    return { grant, tokens: this.mintPair(grant, now) };
  }

  private mintPair(grant: Grant, now: number): IssuedTokens {
    const access = token("act.");
    const refresh = token("rft.");
    const accessExpiresAt = now + this.options.accessTokenTtlSec * 1000;
    this.accessTokens.set(access, { grant, expiresAt: accessExpiresAt });
    this.refreshTokens.set(refresh, { grant, expiresAt: grant.refreshExpiresAt, rotated: false });
    return {
      access_token: access,
      expires_in: this.options.accessTokenTtlSec,
      open_id: grant.openId,
      refresh_expires_in: Math.max(0, Math.floor((grant.refreshExpiresAt - now) / 1000)),
      refresh_token: refresh,
      scope: grant.scope,
      token_type: "Bearer",
    };
  }

  refreshTokenRecord(refreshToken: string): RefreshTokenRecord | undefined {
    return this.refreshTokens.get(refreshToken);
  }

  /**
   * Rotation (https://developers.tiktok.com/doc/oauth-user-access-token-management): a new access AND refresh token; the old refresh token stops
   * working; the old access token keeps working until its own expiry.
   */
  rotate(rec: RefreshTokenRecord): IssuedTokens {
    const now = this.now();
    rec.rotated = true;
    if (this.options.refreshRotationResetsExpiry) rec.grant.refreshExpiresAt = now + this.options.refreshTokenTtlSec * 1000;
    return this.mintPair(rec.grant, now);
  }

  /** The live grant behind an access token, or why there is none. */
  accessGrant(accessToken: string): Grant | "invalid" | "expired" | "revoked" {
    const rec = this.accessTokens.get(accessToken);
    if (rec === undefined) return "invalid";
    if (rec.grant.revoked) return "revoked";
    if (rec.expiresAt <= this.now()) return "expired";
    return rec.grant;
  }

  accessTokenGrantAnyState(accessToken: string): Grant | undefined {
    return this.accessTokens.get(accessToken)?.grant;
  }

  tokenState(refreshToken: string): TokenState {
    const rec = this.refreshTokens.get(refreshToken);
    if (rec === undefined) return "unknown";
    if (rec.grant.revoked) return "revoked";
    if (rec.rotated) return "rotated";
    if (rec.expiresAt <= this.now()) return "expired";
    return "valid";
  }

  accessTokenState(accessToken: string): TokenState {
    const g = this.accessGrant(accessToken);
    if (typeof g !== "string") return "valid";
    return g === "invalid" ? "unknown" : g;
  }

  revokeGrantObject(grant: Grant): void {
    grant.revoked = true;
  }

  /** The app is disconnected from the user's account (revoke endpoint): every grant of this client for that user. */
  revokeAppForUser(clientKey: string, openId: string): number {
    let n = 0;
    for (const g of this.grantsByOpenId.get(openId) ?? []) {
      if (g.clientKey === clientKey && !g.revoked) {
        g.revoked = true;
        n++;
      }
    }
    return n;
  }

  /** TikTok-side revocation (user removed the app): every grant of this user, for every client. */
  revokeAllForOpenId(openId: string): number {
    let n = 0;
    for (const g of this.grantsByOpenId.get(openId) ?? []) {
      if (!g.revoked) {
        g.revoked = true;
        n++;
      }
    }
    return n;
  }

  // --- publishes ------------------------------------------------------------------------------

  newPublishId(): string {
    // Real ids look like `v_pub_file~v2-1.7253…`; keep the shape, random tail.
    return `v_pub_file~v2-1.${BigInt("0x" + randomBytes(8).toString("hex")).toString().padStart(20, "0")}`;
  }

  newUploadSecret(): { uploadId: string; uploadToken: string } {
    return { uploadId: randomBytes(12).toString("hex"), uploadToken: randomBytes(18).toString("base64url") };
  }

  newHash(): Hash | undefined {
    return this.options.hashUploads ? createHash("sha256") : undefined;
  }
}
