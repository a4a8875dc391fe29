import { setProviderFetchForTests, type FetchLike } from "@/lib/connections/provider-http";

/** One HTTP exchange seen by the tap (the sandbox's own request log keeps paths only). */
export interface TappedExchange {
  method: string;
  url: URL;
  /** The form or JSON body the app sent, as text. */
  requestBody: string;
  /** undefined while unanswered, or when the request failed (timeout, network). */
  status?: number;
  responseText?: string;
  /** Set when the request failed instead of answering. */
  failure?: string;
}

export interface FetchTapOptions {
  /** Runs before the request leaves (e.g. to look at the database at that moment). */
  before?: (exchange: TappedExchange) => void | Promise<void>;
  /** Answers instead of the network when it returns a Response. */
  intercept?: (exchange: TappedExchange, forward: () => Promise<Response>) => Response | undefined | Promise<Response | undefined>;
}

export interface FetchTap {
  fetch: FetchLike & typeof fetch;
  readonly exchanges: TappedExchange[];
  /** Exchanges with the TikTok token endpoint. */
  tokenExchanges(): TappedExchange[];
  /** Exchanges with the TikTok revoke endpoint. */
  revokeExchanges(): TappedExchange[];
  /** Every access and refresh token that any token response carried (parsed or not by the app). */
  issuedTokens(): { accessTokens: string[]; refreshTokens: string[] };
  /** Values sent to the token endpoint (codes, verifiers, refresh tokens, secrets). */
  sentFormValues(name: string): string[];
}

/**
 * A fetch wrapper that records what the app sends to TikTok and what TikTok answers, so tests
 * can know every token the sandbox issued (S29) and the exact code the token endpoint received
 * (S13). It passes everything through to `base` unless `intercept` answers.
 */
export function createFetchTap(options: FetchTapOptions = {}, base: typeof fetch = globalThis.fetch): FetchTap {
  const exchanges: TappedExchange[] = [];
  const tapped = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const href = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const exchange: TappedExchange = {
      method: init?.method ?? (input instanceof Request ? input.method : "GET"),
      url: new URL(href),
      requestBody: typeof init?.body === "string" ? init.body : init?.body instanceof URLSearchParams ? init.body.toString() : "",
    };
    exchanges.push(exchange);
    await options.before?.(exchange);
    const forward = () => base(input, init);
    let response: Response;
    try {
      response = (await options.intercept?.(exchange, forward)) ?? (await forward());
    } catch (error) {
      exchange.failure = error instanceof Error ? error.name : String(error);
      throw error;
    }
    exchange.status = response.status;
    exchange.responseText = await response.clone().text();
    return response;
  };
  const isPath = (e: TappedExchange, path: string) => e.url.pathname === path;
  const tap: FetchTap = {
    fetch: tapped as FetchLike & typeof fetch,
    exchanges,
    tokenExchanges: () => exchanges.filter((e) => isPath(e, "/v2/oauth/token/")),
    revokeExchanges: () => exchanges.filter((e) => isPath(e, "/v2/oauth/revoke/")),
    issuedTokens: () => {
      const accessTokens: string[] = [];
      const refreshTokens: string[] = [];
      for (const e of tap.tokenExchanges()) {
        // Scan the raw text too: a body the app refused (wrong content type) still carried tokens.
        for (const m of (e.responseText ?? "").matchAll(/"(access_token|refresh_token)"\s*:\s*"([^"]+)"/g)) {
          (m[1] === "access_token" ? accessTokens : refreshTokens).push(m[2]!);
        }
      }
      return { accessTokens, refreshTokens };
    },
    sentFormValues: (name) => tap.tokenExchanges().flatMap((e) => new URLSearchParams(e.requestBody).getAll(name)),
  };
  return tap;
}

/**
 * Puts a tap under every provider exchange of the app's own services (they go out on the
 * provider agent, not global fetch): the tap forwards through global fetch unless it answers.
 */
export function installProviderFetchTap(options: FetchTapOptions = {}): FetchTap & { restore(): void } {
  const tap = createFetchTap(options);
  setProviderFetchForTests(tap.fetch);
  return { ...tap, restore: () => setProviderFetchForTests(undefined) };
}

/** A JSON response as a provider would send it. */
export function jsonResponse(body: unknown, status = 200, contentType = "application/json; charset=utf-8"): Response {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "content-type": contentType } });
}
