CREATE TABLE "account_stat_snapshots" (
	"account_id" text NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"followers" bigint,
	"following" bigint,
	"likes" bigint,
	"videos" bigint,
	"views" bigint,
	"recent_views" bigint,
	"recent_likes" bigint,
	"recent_comments" bigint,
	"recent_shares" bigint,
	CONSTRAINT "account_stat_snapshots_account_id_taken_at_pk" PRIMARY KEY("account_id","taken_at")
);
--> statement-breakpoint
CREATE TABLE "analytics_videos" (
	"account_id" text NOT NULL,
	"video_id" text NOT NULL,
	"title" text NOT NULL,
	"cover_url" text,
	"share_url" text,
	"published_at" timestamp with time zone,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	CONSTRAINT "analytics_videos_account_id_video_id_pk" PRIMARY KEY("account_id","video_id")
);
--> statement-breakpoint
CREATE TABLE "video_stat_snapshots" (
	"account_id" text NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"video_id" text NOT NULL,
	"views" bigint,
	"likes" bigint,
	"comments" bigint,
	"shares" bigint,
	CONSTRAINT "video_stat_snapshots_account_id_taken_at_video_id_pk" PRIMARY KEY("account_id","taken_at","video_id")
);
--> statement-breakpoint
ALTER TABLE "social_accounts" ADD COLUMN "analytics_due_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "social_accounts" ADD COLUMN "analytics_lease_id" text;--> statement-breakpoint
ALTER TABLE "social_accounts" ADD COLUMN "analytics_lease_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "account_stat_snapshots" ADD CONSTRAINT "account_stat_snapshots_account_id_social_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."social_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_videos" ADD CONSTRAINT "analytics_videos_account_id_social_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."social_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "video_stat_snapshots" ADD CONSTRAINT "video_stat_snapshots_account_id_social_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."social_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "account_stat_snapshots_taken_brin" ON "account_stat_snapshots" USING brin ("taken_at");--> statement-breakpoint
CREATE INDEX "analytics_videos_last_seen_idx" ON "analytics_videos" USING btree ("last_seen_at");--> statement-breakpoint
CREATE INDEX "video_stat_snapshots_taken_brin" ON "video_stat_snapshots" USING brin ("taken_at");--> statement-breakpoint
CREATE INDEX "social_accounts_analytics_due_idx" ON "social_accounts" USING btree ("analytics_due_at");