CREATE TABLE "activities"."activity_favorite_month_counts" (
	"activity_id" uuid NOT NULL,
	"month" date NOT NULL,
	"company_id" uuid NOT NULL,
	"favorites" integer NOT NULL,
	CONSTRAINT "activity_favorite_month_counts_pk" PRIMARY KEY("activity_id","month")
);
--> statement-breakpoint
CREATE TABLE "activities"."activity_favorite_year_counts" (
	"activity_id" uuid NOT NULL,
	"year" date NOT NULL,
	"company_id" uuid NOT NULL,
	"favorites" integer NOT NULL,
	CONSTRAINT "activity_favorite_year_counts_pk" PRIMARY KEY("activity_id","year")
);
--> statement-breakpoint
ALTER TABLE "activities"."activity_favorite_month_counts" ADD CONSTRAINT "activity_favorite_month_counts_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "activities"."activities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activities"."activity_favorite_year_counts" ADD CONSTRAINT "activity_favorite_year_counts_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "activities"."activities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Hand-written from here, each statement safe to run again. INCLUDE (drizzle-kit cannot write it): a company's
-- months and years of a period are index-only scans, as its days are (0007).
CREATE INDEX IF NOT EXISTS "activity_favorite_month_counts_company_id_month_idx" ON "activities"."activity_favorite_month_counts" USING btree ("company_id","month") INCLUDE ("activity_id","favorites");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "activity_favorite_year_counts_company_id_year_idx" ON "activities"."activity_favorite_year_counts" USING btree ("company_id","year") INCLUDE ("activity_id","favorites");--> statement-breakpoint
-- The month and year counts' backfill (row 2 of the progress table): from the day counts, so it needs 0004's backfill
-- (row 1) complete first; `npm run db:migrate` runs one after the other.
INSERT INTO "activities"."favorite_counts_backfill" ("id") VALUES (2) ON CONFLICT DO NOTHING;--> statement-breakpoint
-- 0004's function, keeping the month and year counts as well. While a backfill runs, only favourites of activities it has
-- passed count in its tables, and the activities' rows are share-locked first (see 0004).
CREATE OR REPLACE FUNCTION activities.favorite_counts_apply(
  activity_ids uuid[], created_ats timestamp with time zone[], delta integer
) RETURNS void
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  done_through uuid;
  completed boolean;
  months_through uuid;
  months_completed boolean;
BEGIN
  IF delta IS DISTINCT FROM 1 AND delta IS DISTINCT FROM -1 THEN
    RAISE EXCEPTION 'favorite_counts_apply: delta must be 1 or -1, not %', delta;
  END IF;
  IF activity_ids IS NULL THEN
    RETURN;
  END IF;
  SELECT b.done_through, b.completed_at IS NOT NULL INTO done_through, completed
  FROM activities.favorite_counts_backfill b WHERE b.id = 1;
  SELECT b.done_through, b.completed_at IS NOT NULL INTO months_through, months_completed
  FROM activities.favorite_counts_backfill b WHERE b.id = 2;
  IF completed IS NOT TRUE OR months_completed IS NOT TRUE THEN
    PERFORM 1 FROM activities.activities a WHERE a.id = ANY (activity_ids) ORDER BY a.id FOR KEY SHARE;
    SELECT b.done_through, b.completed_at IS NOT NULL INTO done_through, completed
    FROM activities.favorite_counts_backfill b WHERE b.id = 1;
    SELECT b.done_through, b.completed_at IS NOT NULL INTO months_through, months_completed
    FROM activities.favorite_counts_backfill b WHERE b.id = 2;
    IF completed IS NOT TRUE THEN
      SELECT array_agg(m.activity_id), array_agg(m.created_at) INTO activity_ids, created_ats
      FROM unnest(activity_ids, created_ats) AS m (activity_id, created_at)
      WHERE m.activity_id <= done_through;
      IF activity_ids IS NULL THEN
        RETURN;
      END IF;
    END IF;
  END IF;
  IF delta = 1 THEN
    WITH added AS (
      SELECT * FROM activities.favorite_count_keys(activity_ids, created_ats)
    ), totals AS (
      INSERT INTO activities.activity_favorite_counts AS t (activity_id, company_id, favorites, last_favorited_at)
      SELECT activity_id, company_id, count(*), max(created_at) FROM added
      GROUP BY activity_id, company_id ORDER BY activity_id
      ON CONFLICT (activity_id) DO UPDATE
      SET favorites = t.favorites + EXCLUDED.favorites,
          last_favorited_at = greatest(t.last_favorited_at, EXCLUDED.last_favorited_at)
    ), months AS (
      INSERT INTO activities.activity_favorite_month_counts AS m (activity_id, month, company_id, favorites)
      SELECT activity_id, date_trunc('month', day)::date, company_id, count(*) FROM added
      WHERE months_completed OR activity_id <= months_through
      GROUP BY 1, 2, 3 ORDER BY 1, 2
      ON CONFLICT ON CONSTRAINT activity_favorite_month_counts_pk DO UPDATE SET favorites = m.favorites + EXCLUDED.favorites
    ), years AS (
      INSERT INTO activities.activity_favorite_year_counts AS y (activity_id, year, company_id, favorites)
      SELECT activity_id, date_trunc('year', day)::date, company_id, count(*) FROM added
      WHERE months_completed OR activity_id <= months_through
      GROUP BY 1, 2, 3 ORDER BY 1, 2
      ON CONFLICT ON CONSTRAINT activity_favorite_year_counts_pk DO UPDATE SET favorites = y.favorites + EXCLUDED.favorites
    ), days AS (
      INSERT INTO activities.activity_favorite_day_counts AS d (activity_id, day, company_id, favorites)
      SELECT activity_id, day, company_id, count(*) FROM added
      GROUP BY activity_id, day, company_id ORDER BY activity_id, day
      ON CONFLICT ON CONSTRAINT activity_favorite_day_counts_pk DO UPDATE SET favorites = d.favorites + EXCLUDED.favorites
    ), slots AS (
      INSERT INTO activities.activity_favorite_slot_counts AS s (activity_id, slot, company_id, favorites)
      SELECT activity_id, slot, company_id, count(*) FROM added
      GROUP BY activity_id, slot, company_id ORDER BY activity_id, slot
      ON CONFLICT ON CONSTRAINT activity_favorite_slot_counts_pk DO UPDATE SET favorites = s.favorites + EXCLUDED.favorites
    ), company_days AS (
      INSERT INTO activities.company_favorite_day_counts AS c (company_id, day, favorites)
      SELECT company_id, day, count(*) FROM added
      GROUP BY company_id, day ORDER BY company_id, day
      ON CONFLICT ON CONSTRAINT company_favorite_day_counts_pk DO UPDATE SET favorites = c.favorites + EXCLUDED.favorites
    )
    INSERT INTO activities.company_favorite_slot_counts AS c (company_id, slot, favorites)
    SELECT company_id, slot, count(*) FROM added
    GROUP BY company_id, slot ORDER BY company_id, slot
    ON CONFLICT ON CONSTRAINT company_favorite_slot_counts_pk DO UPDATE SET favorites = c.favorites + EXCLUDED.favorites;
  ELSE
    WITH removed AS (
      SELECT * FROM activities.favorite_count_keys(activity_ids, created_ats)
    ), totals AS (
      UPDATE activities.activity_favorite_counts t
      SET favorites = t.favorites - r.n,
          last_favorited_at = CASE WHEN r.newest >= t.last_favorited_at THEN (
            SELECT max(f.created_at) FROM activities.user_activity_favorites f WHERE f.activity_id = t.activity_id
          ) ELSE t.last_favorited_at END
      FROM (SELECT activity_id, count(*) AS n, max(created_at) AS newest FROM removed
            GROUP BY activity_id ORDER BY activity_id) r
      WHERE t.activity_id = r.activity_id
    ), months AS (
      UPDATE activities.activity_favorite_month_counts m SET favorites = m.favorites - r.n
      FROM (SELECT activity_id, date_trunc('month', day)::date AS month, count(*) AS n FROM removed
            WHERE months_completed OR activity_id <= months_through GROUP BY 1, 2) r
      WHERE m.activity_id = r.activity_id AND m.month = r.month
    ), years AS (
      UPDATE activities.activity_favorite_year_counts y SET favorites = y.favorites - r.n
      FROM (SELECT activity_id, date_trunc('year', day)::date AS year, count(*) AS n FROM removed
            WHERE months_completed OR activity_id <= months_through GROUP BY 1, 2) r
      WHERE y.activity_id = r.activity_id AND y.year = r.year
    ), days AS (
      UPDATE activities.activity_favorite_day_counts d SET favorites = d.favorites - r.n
      FROM (SELECT activity_id, day, count(*) AS n FROM removed GROUP BY activity_id, day) r
      WHERE d.activity_id = r.activity_id AND d.day = r.day
    ), slots AS (
      UPDATE activities.activity_favorite_slot_counts s SET favorites = s.favorites - r.n
      FROM (SELECT activity_id, slot, count(*) AS n FROM removed GROUP BY activity_id, slot) r
      WHERE s.activity_id = r.activity_id AND s.slot = r.slot
    ), company_days AS (
      UPDATE activities.company_favorite_day_counts c SET favorites = c.favorites - r.n
      FROM (SELECT company_id, day, count(*) AS n FROM removed GROUP BY company_id, day) r
      WHERE c.company_id = r.company_id AND c.day = r.day
    )
    UPDATE activities.company_favorite_slot_counts c SET favorites = c.favorites - r.n
    FROM (SELECT company_id, slot, count(*) AS n FROM removed GROUP BY company_id, slot) r
    WHERE c.company_id = r.company_id AND c.slot = r.slot;
  END IF;
END
$$;
--> statement-breakpoint
-- One bounded step of the month and year counts' backfill, as 0004's: the next `batch_size` activities in id order
-- are locked (FOR UPDATE: their favourites cannot change meanwhile), their months and years summed from their day
-- counts (exact,
-- kept by the triggers since 0004's backfill), and the progress moves past them. Returns how many activities it
-- did; 0 once all are (and marks it complete).
CREATE OR REPLACE FUNCTION activities.favorite_month_year_counts_backfill_batch(batch_size integer) RETURNS integer
LANGUAGE plpgsql
SET lock_timeout = '5s'
AS $$
DECLARE
  progress activities.favorite_counts_backfill%ROWTYPE;
  batch uuid[];
BEGIN
  IF batch_size IS NULL OR batch_size < 1 THEN
    RAISE EXCEPTION 'favorite_month_year_counts_backfill_batch: batch_size must be at least 1, not %', batch_size;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM activities.favorite_counts_backfill WHERE id = 1 AND completed_at IS NOT NULL) THEN
    RAISE EXCEPTION 'favorite_month_year_counts_backfill_batch: the counts backfill (favorite_counts_backfill_batch) must complete first';
  END IF;
  SELECT * INTO progress FROM activities.favorite_counts_backfill WHERE id = 2 FOR UPDATE;
  IF NOT FOUND OR progress.completed_at IS NOT NULL THEN
    RETURN 0;
  END IF;
  SELECT array_agg(b.id ORDER BY b.id) INTO batch FROM (
    SELECT a.id FROM activities.activities a
    WHERE progress.done_through IS NULL OR a.id > progress.done_through
    ORDER BY a.id LIMIT batch_size FOR UPDATE
  ) b;
  IF batch IS NULL THEN
    UPDATE activities.favorite_counts_backfill SET completed_at = now() WHERE id = 2;
    RETURN 0;
  END IF;
  INSERT INTO activities.activity_favorite_month_counts AS m (activity_id, month, company_id, favorites)
  SELECT d.activity_id, date_trunc('month', d.day)::date, d.company_id, sum(d.favorites)
  FROM activities.activity_favorite_day_counts d WHERE d.activity_id = ANY (batch) GROUP BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT activity_favorite_month_counts_pk DO UPDATE SET favorites = EXCLUDED.favorites;
  INSERT INTO activities.activity_favorite_year_counts AS y (activity_id, year, company_id, favorites)
  SELECT d.activity_id, date_trunc('year', d.day)::date, d.company_id, sum(d.favorites)
  FROM activities.activity_favorite_day_counts d WHERE d.activity_id = ANY (batch) GROUP BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT activity_favorite_year_counts_pk DO UPDATE SET favorites = EXCLUDED.favorites;
  UPDATE activities.favorite_counts_backfill SET done_through = batch[cardinality(batch)] WHERE id = 2;
  RETURN cardinality(batch);
END
$$;
--> statement-breakpoint
-- 0004's function: an activity moved to another company takes its month and year counts along too.
CREATE OR REPLACE FUNCTION activities.activity_rollups_after_company_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
                 WHERE o.company_id IS DISTINCT FROM n.company_id) THEN
    RETURN NULL;
  END IF;
  WITH moved AS (
    SELECT n.id, o.company_id AS old_company_id, n.company_id AS new_company_id
    FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.company_id IS DISTINCT FROM n.company_id
  ), company_days AS (
    INSERT INTO activities.company_favorite_day_counts AS c (company_id, day, favorites)
    SELECT x.company_id, x.day, sum(x.delta)::int
    FROM (
      SELECT m.old_company_id AS company_id, d.day, -d.favorites AS delta
      FROM moved m JOIN activities.activity_favorite_day_counts d ON d.activity_id = m.id
      UNION ALL
      SELECT m.new_company_id, d.day, d.favorites
      FROM moved m JOIN activities.activity_favorite_day_counts d ON d.activity_id = m.id
    ) x
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT ON CONSTRAINT company_favorite_day_counts_pk DO UPDATE SET favorites = c.favorites + EXCLUDED.favorites
  )
  INSERT INTO activities.company_favorite_slot_counts AS c (company_id, slot, favorites)
  SELECT x.company_id, x.slot, sum(x.delta)::int
  FROM (
    SELECT m.old_company_id AS company_id, s.slot, -s.favorites AS delta
    FROM moved m JOIN activities.activity_favorite_slot_counts s ON s.activity_id = m.id
    UNION ALL
    SELECT m.new_company_id, s.slot, s.favorites
    FROM moved m JOIN activities.activity_favorite_slot_counts s ON s.activity_id = m.id
  ) x
  GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ON CONSTRAINT company_favorite_slot_counts_pk DO UPDATE SET favorites = c.favorites + EXCLUDED.favorites;
  UPDATE activities.activity_favorite_counts t SET company_id = n.company_id
  FROM new_rows n WHERE t.activity_id = n.id AND t.company_id IS DISTINCT FROM n.company_id;
  UPDATE activities.activity_favorite_month_counts m SET company_id = n.company_id
  FROM new_rows n WHERE m.activity_id = n.id AND m.company_id IS DISTINCT FROM n.company_id;
  UPDATE activities.activity_favorite_year_counts y SET company_id = n.company_id
  FROM new_rows n WHERE y.activity_id = n.id AND y.company_id IS DISTINCT FROM n.company_id;
  UPDATE activities.activity_favorite_day_counts d SET company_id = n.company_id
  FROM new_rows n WHERE d.activity_id = n.id AND d.company_id IS DISTINCT FROM n.company_id;
  UPDATE activities.activity_favorite_slot_counts s SET company_id = n.company_id
  FROM new_rows n WHERE s.activity_id = n.id AND s.company_id IS DISTINCT FROM n.company_id;
  RETURN NULL;
END
$$;
