-- Every activity gets its row in activity_favorite_counts (at zero until favourited), so the analytics table sorted
-- by total reads its page from activity_favorite_counts_company_id_favorites_idx, and the one sorted by name from
-- activities_company_id_name_id_idx, instead of sorting all of a company's activities. The indexes are generated
-- by drizzle-kit (on a large live table, build them CONCURRENTLY by hand first: README, "Deploying"); the rest is
-- written by hand, each statement safe to run again.
DROP INDEX "activities"."activity_favorite_counts_company_id_idx";--> statement-breakpoint
CREATE INDEX "activities_company_id_name_id_idx" ON "activities"."activities" USING btree ("company_id","name","id");--> statement-breakpoint
CREATE INDEX "activity_favorite_counts_company_id_favorites_idx" ON "activities"."activity_favorite_counts" USING btree ("company_id","favorites","activity_id");--> statement-breakpoint
-- New activities get their row in the statement that creates them (a bulk insert in one statement).
CREATE OR REPLACE FUNCTION activities.activity_counts_after_insert() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  INSERT INTO activities.activity_favorite_counts AS t (activity_id, company_id, favorites)
  SELECT n.id, n.company_id, 0 FROM new_rows n ORDER BY n.id
  ON CONFLICT (activity_id) DO NOTHING;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER activities_counts_insert
  AFTER INSERT ON activities.activities
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION activities.activity_counts_after_insert();
--> statement-breakpoint
-- The backfill (0004) now finds rows at zero for the activities it has not counted yet (the statement below
-- creates them): it sets their counts instead of inserting them. The rest of the function is 0004's.
CREATE OR REPLACE FUNCTION activities.favorite_counts_backfill_batch(batch_size integer) RETURNS integer
LANGUAGE plpgsql
SET lock_timeout = '5s'
AS $$
DECLARE
  progress activities.favorite_counts_backfill%ROWTYPE;
  batch uuid[];
BEGIN
  IF batch_size IS NULL OR batch_size < 1 THEN
    RAISE EXCEPTION 'favorite_counts_backfill_batch: batch_size must be at least 1, not %', batch_size;
  END IF;
  SELECT * INTO progress FROM activities.favorite_counts_backfill WHERE id = 1 FOR UPDATE;
  IF NOT FOUND OR progress.completed_at IS NOT NULL THEN
    RETURN 0;
  END IF;
  SELECT array_agg(b.id ORDER BY b.id) INTO batch FROM (
    SELECT a.id FROM activities.activities a
    WHERE progress.done_through IS NULL OR a.id > progress.done_through
    ORDER BY a.id LIMIT batch_size FOR UPDATE
  ) b;
  IF batch IS NULL THEN
    UPDATE activities.favorite_counts_backfill SET completed_at = now() WHERE id = 1;
    RETURN 0;
  END IF;
  INSERT INTO activities.activity_favorite_counts AS t (activity_id, company_id, favorites, last_favorited_at)
  SELECT f.activity_id, a.company_id, count(*), max(f.created_at)
  FROM activities.user_activity_favorites f JOIN activities.activities a ON a.id = f.activity_id
  WHERE f.activity_id = ANY (batch) GROUP BY 1, 2
  ON CONFLICT (activity_id) DO UPDATE
  SET favorites = EXCLUDED.favorites, last_favorited_at = EXCLUDED.last_favorited_at;
  INSERT INTO activities.activity_favorite_day_counts (activity_id, day, company_id, favorites)
  SELECT k.activity_id, k.day, k.company_id, count(*)
  FROM (SELECT array_agg(f.activity_id) AS ids, array_agg(f.created_at) AS ats
        FROM activities.user_activity_favorites f WHERE f.activity_id = ANY (batch)) m
  CROSS JOIN LATERAL activities.favorite_count_keys(m.ids, m.ats) k GROUP BY 1, 2, 3;
  INSERT INTO activities.activity_favorite_slot_counts (activity_id, slot, company_id, favorites)
  SELECT k.activity_id, k.slot, k.company_id, count(*)
  FROM (SELECT array_agg(f.activity_id) AS ids, array_agg(f.created_at) AS ats
        FROM activities.user_activity_favorites f WHERE f.activity_id = ANY (batch)) m
  CROSS JOIN LATERAL activities.favorite_count_keys(m.ids, m.ats) k GROUP BY 1, 2, 3;
  -- Company rows may already hold counts of earlier batches' activities: add to them.
  INSERT INTO activities.company_favorite_day_counts AS c (company_id, day, favorites)
  SELECT d.company_id, d.day, sum(d.favorites) FROM activities.activity_favorite_day_counts d
  WHERE d.activity_id = ANY (batch) GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ON CONSTRAINT company_favorite_day_counts_pk DO UPDATE SET favorites = c.favorites + EXCLUDED.favorites;
  INSERT INTO activities.company_favorite_slot_counts AS c (company_id, slot, favorites)
  SELECT s.company_id, s.slot, sum(s.favorites) FROM activities.activity_favorite_slot_counts s
  WHERE s.activity_id = ANY (batch) GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ON CONSTRAINT company_favorite_slot_counts_pk DO UPDATE SET favorites = c.favorites + EXCLUDED.favorites;
  UPDATE activities.favorite_counts_backfill SET done_through = batch[cardinality(batch)] WHERE id = 1;
  RETURN cardinality(batch);
END
$$;
--> statement-breakpoint
-- Rows at zero for the activities that have none yet: one statement over the activities (no favourite is read).
INSERT INTO activities.activity_favorite_counts (activity_id, company_id, favorites)
SELECT a.id, a.company_id, 0 FROM activities.activities a ORDER BY a.id
ON CONFLICT (activity_id) DO NOTHING;
