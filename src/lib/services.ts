import { getConfig } from "@/lib/config/config";
import { getDb } from "@/lib/db";
import { getTokenCipher } from "@/lib/crypto/app-cipher";
import { TikTokOAuthService } from "@/lib/providers/tiktok/oauth-provider";
import { TokenRefresher } from "@/lib/connections/token-refresher";
import { AccountService } from "@/lib/connections/account-service";
import { getRedis } from "@/lib/redis/client";
import { TikTokApiClient } from "@/lib/providers/tiktok/api-client";
import { UserBudget } from "@/lib/connections/user-budget";
import { TokenEndpointLimits } from "@/lib/providers/tiktok/token-limits";
import { VideoService } from "@/lib/connections/video-service";

export interface TikTokServices {
  oauth: TikTokOAuthService;
  refresher: TokenRefresher;
  accounts: AccountService;
  api: TikTokApiClient;
  videos: VideoService;
}

const holder = globalThis as unknown as { __socialflowTikTok?: Promise<TikTokServices> };

/**
 * The app's TikTok services, built once per process. One refresher per process is what makes
 * the in-process single-flight map meaningful.
 */
export function getTikTokServices(): Promise<TikTokServices> {
  holder.__socialflowTikTok ??= (async () => {
    const config = getConfig();
    const db = await getDb();
    const cipher = getTokenCipher();
    const oauth = new TikTokOAuthService({ db, cipher }, config.tiktok);
    const refresher = new TokenRefresher({ db, cipher, oauth });
    const accounts = new AccountService({ db, cipher, oauth, refresher });
    const redis = config.redisUrl ? await getRedis(config.redisUrl) : undefined;
    const budget = new UserBudget({ perMinute: config.rateLimit.perMinute, perDay: config.rateLimit.perDay, redis });
    const tokenLimits = new TokenEndpointLimits({ redis });
    const api = new TikTokApiClient({ db, cipher, refresher, budget, tokenLimits, apiBaseUrl: config.tiktok.apiBaseUrl });
    const videos = new VideoService(api, config.tiktok.apiBaseUrl);
    return { oauth, refresher, accounts, api, videos };
  })().catch((error: unknown) => {
    holder.__socialflowTikTok = undefined;
    throw error;
  });
  return holder.__socialflowTikTok;
}
