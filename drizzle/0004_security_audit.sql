ALTER TYPE "public"."account_status" ADD VALUE 'UNREADABLE';--> statement-breakpoint
ALTER TABLE "social_accounts" ADD COLUMN "manual_refresh_at" timestamp with time zone;