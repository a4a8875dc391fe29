/**
 * The state every sandbox has: options (start-up and current), the manual clock, the fault queue,
 * the counters and the request log. A sandbox's SandboxState extends this with its network's
 * codes, tokens and data, and clears them in its reset().
 */
import { FaultQueue } from "./faults";
import { statsDays } from "./stats-growth";
import type { Counters, RequestLogEntry } from "./types";

const LOG_LIMIT = 10_000;

export interface StateSetup<Resolved, Input, E extends string> {
  defaults: () => Resolved;
  /** Applies `input` over a copy of `base`. */
  merge: (base: Resolved, input: Input) => Resolved;
  endpoints: readonly E[];
}

function emptyCounters<E extends string>(endpoints: readonly E[]): Counters<E> {
  const c = { tokenByGrant: { authorization_code: 0, refresh_token: 0 } } as Counters<E>;
  for (const e of endpoints) (c as Record<E, number>)[e] = 0;
  return c;
}

export abstract class SandboxStateBase<Resolved extends { now: () => number; statsTimeScale: number }, Input extends object, E extends string, F, TokenState extends string> {
  /** Options given at start-up; reset() returns to these. */
  private readonly startOptions: Resolved;
  options: Resolved;
  private offsetMs = 0;
  /** Where stats time starts: the sandbox's start (counts are the seed's there). */
  private readonly statsAnchorMs: number;
  /** Base URL of the listening server, e.g. http://127.0.0.1:4010. */
  baseUrl = "";

  readonly faults = new FaultQueue<E, F>();
  counters: Counters<E>;
  private log: RequestLogEntry[] = [];
  private logStart = 0;

  protected constructor(
    input: Input,
    private readonly setup: StateSetup<Resolved, Input, E>,
  ) {
    this.startOptions = setup.merge(setup.defaults(), input);
    this.options = setup.merge(this.startOptions, {} as Input);
    this.counters = emptyCounters(setup.endpoints);
    this.statsAnchorMs = this.options.now();
  }

  abstract tokenState(refreshToken: string): TokenState;
  abstract accessTokenState(accessToken: string): TokenState;

  // --- clock, options, reset ------------------------------------------------------------------

  now(): number {
    return this.options.now() + this.offsetMs;
  }

  /** Days of stats time since the sandbox started (stats-growth.ts): the clock, sped up by statsTimeScale. */
  statsDays(): number {
    return statsDays(this.now(), this.statsAnchorMs, this.options.statsTimeScale);
  }

  advanceTime(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError("advanceTime(ms) needs a finite ms >= 0");
    this.offsetMs += ms;
  }

  setOptions(input: Input): void {
    this.options = this.setup.merge(this.options, input);
  }

  /** Back to the start-up options, clock, no faults, zero counters, empty log. Subclasses add their own. */
  reset(): void {
    this.options = this.setup.merge(this.startOptions, {} as Input);
    this.offsetMs = 0;
    this.faults.clear();
    this.counters = emptyCounters(this.setup.endpoints);
    this.log = [];
    this.logStart = 0;
  }

  // --- request log ----------------------------------------------------------------------------

  logRequest(method: string, path: string, endpoint: string): RequestLogEntry {
    const entry: RequestLogEntry = { at: this.now(), method, path, status: 0, endpoint };
    if (this.log.length < LOG_LIMIT) {
      this.log.push(entry);
    } else {
      // Ring buffer: overwrite the oldest so a long benchmark cannot grow memory without bound.
      this.log[this.logStart] = entry;
      this.logStart = (this.logStart + 1) % LOG_LIMIT;
    }
    return entry;
  }

  requestLog(): RequestLogEntry[] {
    const ordered = this.log.length < LOG_LIMIT ? this.log : [...this.log.slice(this.logStart), ...this.log.slice(0, this.logStart)];
    return ordered.map((e) => ({ ...e }));
  }
}
