ALTER TYPE "public"."platform" ADD VALUE 'YOUTUBE';--> statement-breakpoint
-- Open connection flows live 10 minutes and were stored with a free-text provider ('tiktok'):
-- they are dropped rather than converted. A user mid-connect during the deploy clicks Connect again.
DELETE FROM "oauth_states";--> statement-breakpoint
ALTER TABLE "oauth_states" ALTER COLUMN "provider" SET DATA TYPE "public"."platform" USING "provider"::"public"."platform";
