import type { AppConfig } from "@/lib/config/config";
import type { ConnectionProvider, Platform, ProviderLookup } from "@/lib/connections/provider";
import type { Redis } from "ioredis";
import { TikTokProvider } from "./tiktok/oauth-provider";
import { YouTubeProvider } from "./youtube/provider";

/**
 * The providers of this deployment, by platform and by URL slug. Built once per process from
 * config by the composition root (src/lib/services.ts); tests build their own with fakes.
 * Adding a provider adds one line to `providersFromConfig` (docs/architecture.md).
 */
export class ProviderRegistry implements ProviderLookup {
  private readonly byPlatform = new Map<Platform, ConnectionProvider>();
  private readonly bySlugMap = new Map<string, ConnectionProvider>();

  constructor(providers: readonly ConnectionProvider[]) {
    for (const provider of providers) {
      if (this.byPlatform.has(provider.platform) || this.bySlugMap.has(provider.slug)) {
        throw new Error(`provider registered twice: ${provider.platform}`);
      }
      this.byPlatform.set(provider.platform, provider);
      this.bySlugMap.set(provider.slug, provider);
    }
  }

  /** The provider of a stored row; a row of an unregistered platform is a deployment error. */
  get(platform: Platform): ConnectionProvider {
    const provider = this.byPlatform.get(platform);
    if (!provider) throw new Error(`no provider registered for ${platform}`);
    return provider;
  }

  /** The provider of a route's `[provider]` segment; undefined for anything unknown (a 404). */
  bySlug(slug: string): ConnectionProvider | undefined {
    return this.bySlugMap.get(slug);
  }

  all(): ConnectionProvider[] {
    return [...this.byPlatform.values()];
  }
}

/**
 * This deployment's providers, from its configuration. YouTube only when GOOGLE_CLIENT_ID is set
 * (`config.youtube`); `redis` shares its project-wide quota ledger across instances.
 */
export function providersFromConfig(config: AppConfig, deps: { redis?: Redis } = {}): ProviderRegistry {
  return new ProviderRegistry([
    new TikTokProvider(config.tiktok),
    ...(config.youtube ? [new YouTubeProvider(config.youtube, { redis: deps.redis })] : []),
  ]);
}
