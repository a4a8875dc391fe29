CREATE TYPE "public"."video_upload_mode" AS ENUM('inbox', 'direct');--> statement-breakpoint
CREATE TYPE "public"."video_upload_state" AS ENUM('AWAITING_FILE', 'RECEIVING', 'VALIDATING', 'REJECTED', 'UPLOADING', 'PROCESSING_UPLOAD', 'PROCESSING_DOWNLOAD', 'SEND_TO_USER_INBOX', 'PUBLISH_COMPLETE', 'FAILED');--> statement-breakpoint
CREATE TABLE "video_uploads" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"user_id" text NOT NULL,
	"publish_id" text,
	"mode" "video_upload_mode" NOT NULL,
	"state" "video_upload_state" NOT NULL,
	"bytes_sent" bigint DEFAULT 0 NOT NULL,
	"total_bytes" bigint NOT NULL,
	"content_type" text,
	"fail_reason" text,
	"error_code" text,
	"detail" jsonb,
	"post_info" jsonb,
	"max_duration_sec" integer,
	"next_poll_at" timestamp with time zone,
	"poll_attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "video_uploads" ADD CONSTRAINT "video_uploads_account_id_social_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."social_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "video_uploads" ADD CONSTRAINT "video_uploads_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "video_uploads_account_idx" ON "video_uploads" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "video_uploads_poll_idx" ON "video_uploads" USING btree ("state","next_poll_at");