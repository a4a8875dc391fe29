-- The disconnect claim (src/lib/connections/account-service.ts, disconnectForUser): of concurrent
-- disconnects of one account, the one whose conditional UPDATE sets it revokes, deletes the row
-- and records the events; the others answer "already disconnected". It lapses, so a disconnect
-- that crashed between revoke and delete is finished by the next one.
ALTER TABLE "social_accounts" ADD COLUMN "disconnect_claim_id" text;--> statement-breakpoint
ALTER TABLE "social_accounts" ADD COLUMN "disconnect_claim_until" timestamp with time zone;