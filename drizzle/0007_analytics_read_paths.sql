-- CONCURRENTLY throughout: on a live database the counts keep taking every favourite's write while these are built
-- (each statement of a migration is its own request, outside a transaction block).
CREATE INDEX CONCURRENTLY IF NOT EXISTS "activity_favorite_counts_company_id_last_favorited_idx" ON "activities"."activity_favorite_counts" USING btree ("company_id",coalesce("last_favorited_at", '-infinity'::timestamptz));--> statement-breakpoint
-- Hand-written from here: drizzle-kit cannot write INCLUDE. A company's day and quarter-hour rows of a period are
-- read as index-only scans: the whole company's period counts touched a heap page per row (44k pages for a 30-day
-- period of the largest company at 10M). Built beside the old index, which is then dropped and its name taken.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "activity_favorite_day_counts_company_id_day_covering_idx" ON "activities"."activity_favorite_day_counts" USING btree ("company_id","day") INCLUDE ("activity_id","favorites");--> statement-breakpoint
DROP INDEX CONCURRENTLY IF EXISTS "activities"."activity_favorite_day_counts_company_id_day_idx";--> statement-breakpoint
ALTER INDEX "activities"."activity_favorite_day_counts_company_id_day_covering_idx" RENAME TO "activity_favorite_day_counts_company_id_day_idx";--> statement-breakpoint
CREATE INDEX CONCURRENTLY IF NOT EXISTS "activity_favorite_slot_counts_company_id_slot_covering_idx" ON "activities"."activity_favorite_slot_counts" USING btree ("company_id","slot") INCLUDE ("activity_id","favorites");--> statement-breakpoint
DROP INDEX CONCURRENTLY IF EXISTS "activities"."activity_favorite_slot_counts_company_id_slot_idx";--> statement-breakpoint
ALTER INDEX "activities"."activity_favorite_slot_counts_company_id_slot_covering_idx" RENAME TO "activity_favorite_slot_counts_company_id_slot_idx";
