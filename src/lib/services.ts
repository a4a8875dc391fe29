import { getConfig, type AppConfig } from "@/lib/config/config";
import { getDb } from "@/lib/db";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { ConnectionService } from "@/lib/connections/connection-service";
import { TokenRefresher } from "@/lib/connections/token-refresher";
import { AccountService } from "@/lib/connections/account-service";
import { UserBudget } from "@/lib/connections/user-budget";
import type { ConnectionProvider, Platform } from "@/lib/connections/provider";
import { getRedis } from "@/lib/redis/client";
import { providersFromConfig, type ProviderRegistry } from "@/lib/providers/registry";
import { TikTokApiClient } from "@/lib/providers/tiktok/api-client";
import { TokenEndpointLimits } from "@/lib/providers/tiktok/token-limits";
import { VideoService } from "@/lib/providers/tiktok/video-list";
import { YouTubeProvider } from "@/lib/providers/youtube/provider";
import { YouTubeVideoSource } from "@/lib/providers/youtube/video-source";
import type { RecentVideosSource } from "@/lib/connections/recent-videos";
import type { AccountStatsSource } from "@/lib/connections/account-stats";
import { TikTokStatsSource } from "@/lib/providers/tiktok/stats-source";
import { processPromise } from "@/lib/process-registry";

/** The process's services: the composition root, the one place that knows every layer. */
export interface AppServices {
  providers: ProviderRegistry;
  /** The connect flow of each provider (state, PKCE, callback), by platform. */
  connections: ReadonlyMap<Platform, ConnectionService>;
  /** One refresher for every provider: rows are dispatched on their platform. */
  refresher: TokenRefresher;
  accounts: AccountService;
  /** Each provider's recent-videos capability, by platform (absent: not offered for that network). */
  recentVideos: ReadonlyMap<Platform, RecentVideosSource>;
  /** Each provider's stats capability for analytics snapshots, by platform (absent: none). */
  accountStats: ReadonlyMap<Platform, AccountStatsSource>;
  tiktok: { api: TikTokApiClient; videos: VideoService };
}

declare module "@/lib/process-registry" {
  interface ProcessSlots {
    services: Promise<AppServices>;
  }
}

/**
 * The app's services, built once per process from config (again after a failed build). One
 * refresher per process is what makes the in-process single-flight map meaningful.
 */
export function getAppServices(): Promise<AppServices> {
  return processPromise("services", async () => {
    const config = getConfig();
    const db = await getDb();
    const cipher = getTokenCipher();
    const redis = config.redisUrl ? await getRedis(config.redisUrl) : undefined;
    const providers = providersFromConfig(config, { redis });
    const connections = new Map(providers.all().map((provider) => [provider.platform, new ConnectionService({ db, cipher, provider })]));
    const refresher = new TokenRefresher({ db, cipher, providers });
    const accounts = new AccountService({ db, cipher, providers, refresher });
    const budget = new UserBudget({ perMinute: config.rateLimit.perMinute, perDay: config.rateLimit.perDay, redis });
    const tokenLimits = new TokenEndpointLimits({ redis });
    const api = new TikTokApiClient({ db, cipher, refresher, budget, tokenLimits, apiBaseUrl: config.tiktok.apiBaseUrl });
    const videos = new VideoService(api, config.tiktok.apiBaseUrl);
    const recentVideos = new Map<Platform, RecentVideosSource>([["TIKTOK", videos]]);
    const accountStats = new Map<Platform, AccountStatsSource>([["TIKTOK", new TikTokStatsSource(api, config.tiktok.apiBaseUrl)]]);
    const youtube = config.youtube && providers.get("YOUTUBE");
    if (youtube instanceof YouTubeProvider) {
      const scopes = youtube.capabilityScopes.recentVideos;
      // Counted apart from TikTok's: the same limits, another bucket (docs/providers/youtube.md "Quota").
      const youtubeBudget = new UserBudget({ perMinute: config.rateLimit.perMinute, perDay: config.rateLimit.perDay, redis, keyPrefix: "sf:budget:youtube" });
      const source = new YouTubeVideoSource({ db, cipher, refresher, api: youtube.api, scopes, budget: youtubeBudget });
      recentVideos.set("YOUTUBE", source);
      accountStats.set("YOUTUBE", source);
    }
    return { providers, connections, refresher, accounts, recentVideos, accountStats, tiktok: { api, videos } };
  });
}

/**
 * The provider a route's `[provider]` segment names, from config alone (no database: the
 * callback checks sizes before anything else, S11); undefined when unknown.
 */
export function providerBySlug(slug: string): ConnectionProvider | undefined {
  const config = getConfig();
  let registry = slugLookups.get(config);
  if (!registry) {
    registry = providersFromConfig(config);
    slugLookups.set(config, registry);
  }
  return registry.bySlug(slug);
}

/** Built once per configuration, not per callback (a cache: any module copy may keep its own). */
const slugLookups = new WeakMap<AppConfig, ProviderRegistry>();

/** The connect flow of the provider a route's `[provider]` segment names; undefined when unknown. */
export async function connectionFor(slug: string): Promise<{ provider: ConnectionProvider; connection: ConnectionService } | undefined> {
  const services = await getAppServices();
  const provider = services.providers.bySlug(slug);
  const connection = provider && services.connections.get(provider.platform);
  return provider && connection ? { provider, connection } : undefined;
}

/** TikTok's services with the shared ones, as TikTok's data-plane callers (uploads, videos) want them. */
export async function getTikTokServices() {
  const services = await getAppServices();
  return {
    oauth: services.connections.get("TIKTOK")!,
    refresher: services.refresher,
    accounts: services.accounts,
    api: services.tiktok.api,
    videos: services.tiktok.videos,
  };
}
