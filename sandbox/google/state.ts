/**
 * All mutable sandbox state: clock, codes, remembered consents, token grants, quota, counters,
 * log, faults.
 *
 * Google's model (https://developers.google.com/identity/protocols/oauth2/web-server):
 * - a user's consent to a client is remembered; a returning user is not asked again (and gets no
 *   new refresh token) unless the app sends prompt=consent;
 * - all tokens of one (Google account, client) pair form one grant: revoking any token of it ends
 *   all of them (https://developers.google.com/identity/protocols/oauth2/web-server#tokenrevoke);
 * - refresh tokens do not rotate; at most 100 live ones per account per client, the oldest dying
 *   first; they stop working after six months unused, or 7 days after consent for apps in
 *   Testing (https://developers.google.com/identity/protocols/oauth2#expiration).
 *
 * Every check-then-mutate runs synchronously, so two concurrent uses of one code are decided by
 * the event loop: exactly one wins.
 */
import { randomBytes } from "node:crypto";
import { SandboxStateBase } from "../kit/state";
import { defaultOptions, mergeOptions } from "./options";
import { QuotaLedger } from "./quota";
import { SEED_ACCOUNTS, seededAccount, syntheticAccount, videosFor } from "./seed";
import {
  ENDPOINTS,
  isSignInScope,
  type EndpointName,
  type Fault,
  type ResolvedOptions,
  type SandboxClient,
  type SandboxOptionsInput,
  type Scope,
  type SeedAccount,
  type SeedVideo,
  type TokenState,
} from "./types";

const DAY_MS = 86_400_000;
/** Testing-mode authorizations end this long after consent. */
export const TESTING_GRANT_MS = 7 * DAY_MS;
/** After this long, a revoked refresh token is answered "Bad Request" instead of "Token has been expired or revoked." */
export const REVOKED_DESCRIPTION_CHANGES_MS = 12 * 3_600_000;

/** The tokens of one (client, account) pair. Revocation bumps `generation`. */
export interface Family {
  clientId: string;
  accountId: string;
  generation: number;
  /** Live refresh tokens, oldest first (for the per-account-per-client cap). */
  live: RefreshRecord[];
}

export interface RefreshRecord {
  family: Family;
  scopes: ReadonlySet<Scope>;
  issuedAt: number;
  lastUsedAt: number;
  /** Testing-mode end of the authorization, if any. */
  grantEndsAt: number | undefined;
  /** End of a time-based grant (the user chose limited access), reported as refresh_token_expires_in. */
  timeLimitEndsAt: number | undefined;
  revokedAt: number | undefined;
  evicted: boolean;
}

export interface AccessRecord {
  family: Family;
  generation: number;
  scopes: ReadonlySet<Scope>;
  expiresAt: number;
}

export interface CodeRecord {
  clientId: string;
  accountId: string;
  /** Canonical granted scopes (short sign-in names expanded). */
  scopes: Scope[];
  redirectUri: string;
  codeChallenge: string | undefined;
  codeChallengeMethod: "S256" | "plain" | undefined;
  /** access_type=offline was asked and the consent screen was shown: the exchange returns a refresh token. */
  withRefreshToken: boolean;
  nonce: string | undefined;
  expiresAt: number;
  used: boolean;
}

/** `ya29.` access tokens, `1//0…` refresh tokens, `4/0A…` codes: the shapes Google hands out. */
function randomToken(prefix: string, bytes: number): string {
  return `${prefix}${randomBytes(bytes).toString("base64url")}`;
}

const key = (clientId: string, accountId: string) => `${clientId}\u0000${accountId}`;

export class SandboxState extends SandboxStateBase<ResolvedOptions, SandboxOptionsInput, EndpointName, Fault, TokenState> {
  readonly codes = new Map<string, CodeRecord>();
  /** Consent Google remembers per (client, account): canonical scopes. */
  private readonly consents = new Map<string, Set<Scope>>();
  private readonly families = new Map<string, Family>();
  private readonly accessTokens = new Map<string, AccessRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();

  private readonly syntheticAccounts = new Map<string, SeedAccount>();
  private readonly testAccounts = new Map<string, SeedAccount>();
  private readonly videoCache = new Map<string, SeedVideo[]>();
  private readonly videoIndex = new Map<string, { owner: SeedAccount; video: SeedVideo }>();

  readonly quota = new QuotaLedger();

  constructor(input: SandboxOptionsInput) {
    super(input, { defaults: defaultOptions, merge: mergeOptions, endpoints: ENDPOINTS });
  }

  // --- reset (clock, options, faults, counters and log: the kit's) ---------------------------

  override reset(): void {
    super.reset();
    this.codes.clear();
    this.consents.clear();
    this.families.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.syntheticAccounts.clear();
    this.testAccounts.clear();
    this.videoCache.clear();
    this.videoIndex.clear();
    this.quota.clear();
  }

  client(clientId: string): SandboxClient | undefined {
    return this.options.clients.find((c) => c.clientId === clientId);
  }

  // --- accounts -------------------------------------------------------------------------------

  account(id: string): SeedAccount | undefined {
    return seededAccount(id) ?? this.testAccounts.get(id) ?? this.syntheticAccounts.get(id);
  }

  ensureAccount(id: string): SeedAccount {
    const existing = this.account(id);
    if (existing) return existing;
    const created = syntheticAccount(id);
    this.syntheticAccounts.set(id, created);
    return created;
  }

  /** The chooser's accounts: the seeded ones, then added test users. */
  chooserAccounts(): SeedAccount[] {
    return [...SEED_ACCOUNTS, ...this.testAccounts.values()];
  }

  addTestUsers(ids: readonly string[]): void {
    for (const id of ids) {
      if (seededAccount(id)) continue;
      this.testAccounts.set(id, this.syntheticAccounts.get(id) ?? syntheticAccount(id));
    }
  }

  /** Finds a channel and its owner by channel id, uploads playlist id or handle. */
  findChannel(match: (a: SeedAccount) => boolean): SeedAccount | undefined {
    for (const a of [...SEED_ACCOUNTS, ...this.testAccounts.values(), ...this.syntheticAccounts.values()]) {
      if (a.channel !== undefined && match(a)) return a;
    }
    return undefined;
  }

  videos(account: SeedAccount): SeedVideo[] {
    let v = this.videoCache.get(account.id);
    if (v === undefined) {
      v = videosFor(account);
      this.videoCache.set(account.id, v);
      for (const video of v) this.videoIndex.set(video.id, { owner: account, video });
    }
    return v;
  }

  /** A video and its owner by id. Ids not seen yet make every known account's uploads load once. */
  videoById(id: string): { owner: SeedAccount; video: SeedVideo } | undefined {
    const hit = this.videoIndex.get(id);
    if (hit !== undefined) return hit;
    for (const a of [...SEED_ACCOUNTS, ...this.testAccounts.values(), ...this.syntheticAccounts.values()]) this.videos(a);
    return this.videoIndex.get(id);
  }

  // --- consent memory -------------------------------------------------------------------------

  rememberedScopes(clientId: string, accountId: string): ReadonlySet<Scope> {
    return this.consents.get(key(clientId, accountId)) ?? new Set();
  }

  rememberConsent(clientId: string, accountId: string, scopes: Iterable<Scope>): void {
    const k = key(clientId, accountId);
    const set = this.consents.get(k) ?? new Set<Scope>();
    for (const s of scopes) set.add(s);
    this.consents.set(k, set);
  }

  // --- codes ----------------------------------------------------------------------------------

  issueCode(rec: Omit<CodeRecord, "used" | "expiresAt">): string {
    // Real codes look like 4/0AeaYSHB…: the "/" must be percent-encoded in the redirect.
    const code = randomToken("4/0A", 54);
    this.codes.set(code, { ...rec, expiresAt: this.now() + this.options.codeTtlSec * 1000, used: false });
    return code;
  }

  // --- tokens ---------------------------------------------------------------------------------

  private family(clientId: string, accountId: string): Family {
    const k = key(clientId, accountId);
    let f = this.families.get(k);
    if (f === undefined) {
      f = { clientId, accountId, generation: 0, live: [] };
      this.families.set(k, f);
    }
    return f;
  }

  mintAccess(clientId: string, accountId: string, scopes: ReadonlySet<Scope>): string {
    const family = this.family(clientId, accountId);
    const token = randomToken("ya29.a0", 120);
    this.accessTokens.set(token, { family, generation: family.generation, scopes, expiresAt: this.now() + this.options.accessTokenTtlSec * 1000 });
    return token;
  }

  /** A new refresh token; the 101st live one of the pair silently invalidates the oldest. */
  mintRefresh(clientId: string, accountId: string, scopes: ReadonlySet<Scope>, consentAt: number): string {
    const family = this.family(clientId, accountId);
    const client = this.client(clientId);
    const onlySignIn = [...scopes].every((s) => isSignInScope(s));
    const testing = client?.publishingStatus === "testing" && !onlySignIn;
    const now = this.now();
    const rec: RefreshRecord = {
      family,
      scopes,
      issuedAt: now,
      lastUsedAt: now,
      grantEndsAt: testing ? consentAt + TESTING_GRANT_MS : undefined,
      timeLimitEndsAt: this.options.timeLimitedAccessSec > 0 ? consentAt + this.options.timeLimitedAccessSec * 1000 : undefined,
      revokedAt: undefined,
      evicted: false,
    };
    const token = randomToken("1//0", 72);
    this.refreshTokens.set(token, rec);
    family.live.push(rec);
    while (family.live.length > this.options.refreshTokenCap) {
      const oldest = family.live.shift();
      if (oldest) oldest.evicted = true;
    }
    return token;
  }

  refreshRecord(token: string): RefreshRecord | undefined {
    return this.refreshTokens.get(token);
  }

  tokenState(refreshToken: string): TokenState {
    const rec = this.refreshTokens.get(refreshToken);
    if (rec === undefined) return "unknown";
    if (rec.revokedAt !== undefined) return "revoked";
    if (rec.evicted) return "evicted";
    const now = this.now();
    if (rec.grantEndsAt !== undefined && rec.grantEndsAt <= now) return "expired";
    if (rec.timeLimitEndsAt !== undefined && rec.timeLimitEndsAt <= now) return "expired";
    if (now - rec.lastUsedAt > this.options.refreshIdleTtlSec * 1000) return "expired";
    return "valid";
  }

  accessRecord(token: string): AccessRecord | undefined {
    return this.accessTokens.get(token);
  }

  accessTokenState(accessToken: string): TokenState {
    const rec = this.accessTokens.get(accessToken);
    if (rec === undefined) return "unknown";
    if (rec.generation !== rec.family.generation) return "revoked";
    if (rec.expiresAt <= this.now()) return "expired";
    return "valid";
  }

  /**
   * Ends the whole grant of (client, account): every access and refresh token, and the remembered
   * consent (the next authorization shows the consent screen again). O(live refresh tokens):
   * access tokens die by generation. Returns 1 when there was a grant to end.
   */
  revokeFamily(clientId: string, accountId: string): number {
    const family = this.families.get(key(clientId, accountId));
    const hadConsent = this.consents.delete(key(clientId, accountId));
    if (family === undefined) return hadConsent ? 1 : 0;
    const now = this.now();
    for (const r of family.live) r.revokedAt = now;
    family.live = [];
    family.generation += 1;
    return 1;
  }

  /** The user removes the app (or every app) at myaccount.google.com/permissions. Returns grants ended. */
  revokeForAccount(accountId: string, clientId?: string): number {
    let n = 0;
    for (const f of [...this.families.values()]) {
      if (f.accountId === accountId && (clientId === undefined || f.clientId === clientId)) n += this.revokeFamily(f.clientId, f.accountId);
    }
    for (const k of [...this.consents.keys()]) {
      const [c, a] = k.split("\u0000");
      if (a === accountId && (clientId === undefined || c === clientId)) this.consents.delete(k);
    }
    return n;
  }
}
