CREATE SCHEMA "activities";
--> statement-breakpoint
CREATE SCHEMA "users";
--> statement-breakpoint
CREATE TYPE "activities"."activity_type" AS ENUM('SLOT_BASED', 'SERVICE');--> statement-breakpoint
CREATE TABLE "activities"."activities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" uuid NOT NULL,
	"name" text NOT NULL,
	"type" "activities"."activity_type" NOT NULL,
	"image_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "activities"."user_activity_favorites" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"activity_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_activity_favorites_user_activity_unique" UNIQUE("user_id","activity_id")
);
--> statement-breakpoint
CREATE TABLE "users"."users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "activities"."user_activity_favorites" ADD CONSTRAINT "user_activity_favorites_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "users"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activities"."user_activity_favorites" ADD CONSTRAINT "user_activity_favorites_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "activities"."activities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activities_company_id_idx" ON "activities"."activities" USING btree ("company_id");--> statement-breakpoint
CREATE INDEX "user_activity_favorites_user_id_created_at_idx" ON "activities"."user_activity_favorites" USING btree ("user_id","created_at" desc);--> statement-breakpoint
CREATE INDEX "user_activity_favorites_activity_id_idx" ON "activities"."user_activity_favorites" USING btree ("activity_id");