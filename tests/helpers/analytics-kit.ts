import { randomUUID } from "node:crypto";
import type { Database } from "@/lib/db/client";
import { socialAccounts, user } from "@/lib/db/schema";
import { accountsOf, type OwnedAccount } from "@/lib/connections/owned-accounts";
import type { StatsReading, VideoStat } from "@/lib/connections/account-stats";

/** A user with one account row of `platform` (opaque token stand-ins: no network is called). */
export async function ownedTestAccount(
  db: Database,
  options: { platform?: "TIKTOK" | "YOUTUBE"; scopes?: string[]; userId?: string; now: Date },
): Promise<OwnedAccount> {
  const userId = options.userId ?? `u-${randomUUID()}`;
  await db
    .insert(user)
    .values({ id: userId, name: "Analyst", email: `${userId}@test.example`, createdAt: options.now, updatedAt: options.now })
    .onConflictDoNothing();
  const id = randomUUID();
  await db.insert(socialAccounts).values({
    id,
    userId,
    platform: options.platform ?? "TIKTOK",
    platformUserId: `p-${id}`,
    displayName: "Ava",
    scopes: options.scopes ?? ["user.info.basic", "user.info.stats", "video.list"],
    accessToken: "v1.x",
    refreshToken: "v1.y",
    tokenExpiry: new Date(options.now.getTime() + 3_600_000),
  });
  const owned = await accountsOf(db, userId).get(id);
  if (!owned) throw new Error("seeded account not found");
  return owned;
}

export function videoStat(videoId: string, views: number, over: Partial<VideoStat> = {}): VideoStat {
  return {
    videoId,
    title: `Video ${videoId}`,
    coverUrl: null,
    shareUrl: null,
    publishedAt: null,
    views,
    likes: Math.floor(views / 10),
    comments: Math.floor(views / 100),
    shares: Math.floor(views / 200),
    ...over,
  };
}

export function reading(followers: number | null, videos: VideoStat[], over: Partial<StatsReading> = {}): StatsReading {
  return {
    account: followers === null ? null : { followers, following: 10, likes: followers * 3, videos: videos.length, views: null },
    accountStatsGranted: followers !== null,
    videos,
    videosListed: true,
    ...over,
  };
}
