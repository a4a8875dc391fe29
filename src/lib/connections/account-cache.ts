import type { OwnedAccount } from "./owned-accounts";
import { processSingleton } from "@/lib/process-registry";

/** Something that holds data about accounts and must drop it when an account changes hands or grant. */
export interface AccountScoped {
  forgetAccount(accountId: string): void;
}

type Registry = { caches: Set<WeakRef<AccountScoped>> };
declare module "@/lib/process-registry" {
  interface ProcessSlots {
    accountCaches: Registry;
  }
}

// In the process registry: a production build gives each route its own copy of this module,
// and a disconnect in one route must reach the caches built by another copy.
const registry = (): Registry => processSingleton("accountCaches", () => ({ caches: new Set() }));

/**
 * Registers a cache to be cleared whenever `accountChanged` is called for an account. Held
 * weakly: a cache whose service is dropped (tests rebuild services) is not kept alive by this.
 */
export function registerAccountCache(cache: AccountScoped): void {
  registry().caches.add(new WeakRef(cache));
}

/**
 * The account was disconnected or (re)connected: every registered cache drops what it holds
 * for it. Called by the disconnect and by saveConnection, never by a cache's own user.
 */
export function accountChanged(accountId: string): void {
  for (const ref of registry().caches) {
    const cache = ref.deref();
    if (cache) cache.forgetAccount(accountId);
    else registry().caches.delete(ref);
  }
}

/**
 * A short-lived per-process cache of answers about an account, keyed by owner AND account (and
 * a key of the caller's), that can only be read or written with an `OwnedAccount` — that is,
 * after the ownership check (issue #11: a cache keyed by account alone, read before the check,
 * served one user's videos to another). Entries expire after `ttlMs`, the oldest goes first
 * past `maxEntries`, and `accountChanged` clears an account's entries.
 */
export class OwnedCache<V> implements AccountScoped {
  private readonly entries = new Map<string, { accountId: string; value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1000,
    private readonly now: () => number = Date.now,
  ) {
    registerAccountCache(this);
  }

  get(account: OwnedAccount, key: string): V | undefined {
    const id = entryKey(account, key);
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.value;
  }

  set(account: OwnedAccount, key: string, value: V): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(entryKey(account, key), { accountId: account.id, value, expiresAt: this.now() + this.ttlMs });
  }

  forgetAccount(accountId: string): void {
    for (const [id, entry] of this.entries) if (entry.accountId === accountId) this.entries.delete(id);
  }

  /** How many live or expired entries are held for an account (tests). */
  sizeFor(accountId: string): number {
    let n = 0;
    for (const entry of this.entries.values()) if (entry.accountId === accountId) n++;
    return n;
  }
}

/** JSON of the parts: no separator inside an id or key can make two different triples collide. */
function entryKey(account: OwnedAccount, key: string): string {
  return JSON.stringify([account.userId, account.id, key]);
}
