CREATE TABLE "activities"."activity_favorite_days" (
	"activity_id" uuid NOT NULL,
	"day" date NOT NULL,
	"shard" smallint NOT NULL,
	"company_id" uuid NOT NULL,
	"favorites" integer NOT NULL,
	CONSTRAINT "activity_favorite_days_pk" PRIMARY KEY("activity_id","day","shard")
);
--> statement-breakpoint
CREATE TABLE "activities"."activity_favorite_totals" (
	"activity_id" uuid NOT NULL,
	"shard" smallint NOT NULL,
	"company_id" uuid NOT NULL,
	"favorites" integer NOT NULL,
	"last_favorited_at" timestamp with time zone,
	CONSTRAINT "activity_favorite_totals_pk" PRIMARY KEY("activity_id","shard")
);
--> statement-breakpoint
CREATE TABLE "activities"."company_favorite_days" (
	"company_id" uuid NOT NULL,
	"day" date NOT NULL,
	"shard" smallint NOT NULL,
	"favorites" integer NOT NULL,
	CONSTRAINT "company_favorite_days_pk" PRIMARY KEY("company_id","day","shard")
);
--> statement-breakpoint
ALTER TABLE "activities"."activity_favorite_days" ADD CONSTRAINT "activity_favorite_days_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "activities"."activities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activities"."activity_favorite_totals" ADD CONSTRAINT "activity_favorite_totals_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "activities"."activities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activity_favorite_days_company_id_day_idx" ON "activities"."activity_favorite_days" USING btree ("company_id","day");--> statement-breakpoint
CREATE INDEX "activity_favorite_totals_company_id_idx" ON "activities"."activity_favorite_totals" USING btree ("company_id");--> statement-breakpoint
-- The rollups are kept in step by statement-level triggers with transition tables: one aggregated upsert per
-- rollup table per statement, inside the statement that changes the favourites (so the API's single-statement
-- writes stay one round trip), whatever the rows' created_at (explicit values included).
CREATE FUNCTION activities.favorite_rollup_shard(favorite_id uuid) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (get_byte(uuid_send(favorite_id), 15) % 4)::smallint $$;
--> statement-breakpoint
CREATE FUNCTION activities.favorite_rollups_after_insert() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  WITH added AS (
    SELECT n.activity_id, a.company_id, activities.favorite_rollup_shard(n.id) AS shard,
           (n.created_at AT TIME ZONE 'UTC')::date AS day, n.created_at
    FROM new_rows n JOIN activities.activities a ON a.id = n.activity_id
  ), totals AS (
    INSERT INTO activities.activity_favorite_totals AS t (activity_id, shard, company_id, favorites, last_favorited_at)
    SELECT activity_id, shard, company_id, count(*), max(created_at) FROM added
    GROUP BY activity_id, shard, company_id ORDER BY activity_id, shard
    ON CONFLICT ON CONSTRAINT activity_favorite_totals_pk DO UPDATE
    SET favorites = t.favorites + EXCLUDED.favorites,
        last_favorited_at = greatest(t.last_favorited_at, EXCLUDED.last_favorited_at)
  ), days AS (
    INSERT INTO activities.activity_favorite_days AS d (activity_id, day, shard, company_id, favorites)
    SELECT activity_id, day, shard, company_id, count(*) FROM added
    GROUP BY activity_id, day, shard, company_id ORDER BY activity_id, day, shard
    ON CONFLICT ON CONSTRAINT activity_favorite_days_pk DO UPDATE SET favorites = d.favorites + EXCLUDED.favorites
  )
  INSERT INTO activities.company_favorite_days AS c (company_id, day, shard, favorites)
  SELECT company_id, day, shard, count(*) FROM added
  GROUP BY company_id, day, shard ORDER BY company_id, day, shard
  ON CONFLICT ON CONSTRAINT company_favorite_days_pk DO UPDATE SET favorites = c.favorites + EXCLUDED.favorites;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Removed favourites: decrement the rows the insert created (never insert: a favourite removed by an activity's
-- ON DELETE CASCADE finds no activity, and its rollup rows go with the activity). When the newest favourite of a
-- shard goes, that shard's last_favorited_at is looked up again (newest remaining favourite of the activity in
-- that shard: a backward scan of user_activity_favorites_activity_id_created_at_idx, about 4 rows).
CREATE FUNCTION activities.favorite_rollups_after_delete() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  WITH removed AS (
    SELECT o.activity_id, a.company_id, activities.favorite_rollup_shard(o.id) AS shard,
           (o.created_at AT TIME ZONE 'UTC')::date AS day, o.created_at
    FROM old_rows o JOIN activities.activities a ON a.id = o.activity_id
  ), totals AS (
    UPDATE activities.activity_favorite_totals t
    SET favorites = t.favorites - r.n,
        last_favorited_at = CASE WHEN r.newest >= t.last_favorited_at THEN (
          SELECT max(f.created_at) FROM activities.user_activity_favorites f
          WHERE f.activity_id = t.activity_id AND activities.favorite_rollup_shard(f.id) = t.shard
        ) ELSE t.last_favorited_at END
    FROM (SELECT activity_id, shard, count(*) AS n, max(created_at) AS newest FROM removed
          GROUP BY activity_id, shard ORDER BY activity_id, shard) r
    WHERE t.activity_id = r.activity_id AND t.shard = r.shard
  ), days AS (
    UPDATE activities.activity_favorite_days d SET favorites = d.favorites - r.n
    FROM (SELECT activity_id, day, shard, count(*) AS n FROM removed GROUP BY activity_id, day, shard) r
    WHERE d.activity_id = r.activity_id AND d.day = r.day AND d.shard = r.shard
  )
  UPDATE activities.company_favorite_days c SET favorites = c.favorites - r.n
  FROM (SELECT company_id, day, shard, count(*) AS n FROM removed GROUP BY company_id, day, shard) r
  WHERE c.company_id = r.company_id AND c.day = r.day AND c.shard = r.shard;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- An UPDATE that moves a favourite (another id, activity or time) counts as a removal and an addition; rows whose
-- id, activity_id and created_at did not change (the API upsert's no-op `SET user_id` on a double tap) count for
-- nothing. (A trigger with transition tables cannot be limited to `UPDATE OF` columns, hence the EXCEPTs.)
CREATE FUNCTION activities.favorite_rollups_after_update() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF NOT EXISTS (SELECT id, activity_id, created_at FROM old_rows
                 EXCEPT SELECT id, activity_id, created_at FROM new_rows) THEN
    RETURN NULL;
  END IF;
  WITH moved AS (
    SELECT id, activity_id, created_at FROM old_rows EXCEPT SELECT id, activity_id, created_at FROM new_rows
  ), removed AS (
    SELECT o.activity_id, a.company_id, activities.favorite_rollup_shard(o.id) AS shard,
           (o.created_at AT TIME ZONE 'UTC')::date AS day, o.created_at
    FROM moved o JOIN activities.activities a ON a.id = o.activity_id
  ), totals AS (
    UPDATE activities.activity_favorite_totals t
    SET favorites = t.favorites - r.n,
        last_favorited_at = CASE WHEN r.newest >= t.last_favorited_at THEN (
          SELECT max(f.created_at) FROM activities.user_activity_favorites f
          WHERE f.activity_id = t.activity_id AND activities.favorite_rollup_shard(f.id) = t.shard
        ) ELSE t.last_favorited_at END
    FROM (SELECT activity_id, shard, count(*) AS n, max(created_at) AS newest FROM removed
          GROUP BY activity_id, shard ORDER BY activity_id, shard) r
    WHERE t.activity_id = r.activity_id AND t.shard = r.shard
  ), days AS (
    UPDATE activities.activity_favorite_days d SET favorites = d.favorites - r.n
    FROM (SELECT activity_id, day, shard, count(*) AS n FROM removed GROUP BY activity_id, day, shard) r
    WHERE d.activity_id = r.activity_id AND d.day = r.day AND d.shard = r.shard
  )
  UPDATE activities.company_favorite_days c SET favorites = c.favorites - r.n
  FROM (SELECT company_id, day, shard, count(*) AS n FROM removed GROUP BY company_id, day, shard) r
  WHERE c.company_id = r.company_id AND c.day = r.day AND c.shard = r.shard;

  WITH moved AS (
    SELECT id, activity_id, created_at FROM new_rows EXCEPT SELECT id, activity_id, created_at FROM old_rows
  ), added AS (
    SELECT n.activity_id, a.company_id, activities.favorite_rollup_shard(n.id) AS shard,
           (n.created_at AT TIME ZONE 'UTC')::date AS day, n.created_at
    FROM moved n JOIN activities.activities a ON a.id = n.activity_id
  ), totals AS (
    INSERT INTO activities.activity_favorite_totals AS t (activity_id, shard, company_id, favorites, last_favorited_at)
    SELECT activity_id, shard, company_id, count(*), max(created_at) FROM added
    GROUP BY activity_id, shard, company_id ORDER BY activity_id, shard
    ON CONFLICT ON CONSTRAINT activity_favorite_totals_pk DO UPDATE
    SET favorites = t.favorites + EXCLUDED.favorites,
        last_favorited_at = greatest(t.last_favorited_at, EXCLUDED.last_favorited_at)
  ), days AS (
    INSERT INTO activities.activity_favorite_days AS d (activity_id, day, shard, company_id, favorites)
    SELECT activity_id, day, shard, company_id, count(*) FROM added
    GROUP BY activity_id, day, shard, company_id ORDER BY activity_id, day, shard
    ON CONFLICT ON CONSTRAINT activity_favorite_days_pk DO UPDATE SET favorites = d.favorites + EXCLUDED.favorites
  )
  INSERT INTO activities.company_favorite_days AS c (company_id, day, shard, favorites)
  SELECT company_id, day, shard, count(*) FROM added
  GROUP BY company_id, day, shard ORDER BY company_id, day, shard
  ON CONFLICT ON CONSTRAINT company_favorite_days_pk DO UPDATE SET favorites = c.favorites + EXCLUDED.favorites;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- An activity moved to another company takes its counts with it (other updates of activities change nothing).
CREATE FUNCTION activities.activity_rollups_after_company_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
                 WHERE o.company_id IS DISTINCT FROM n.company_id) THEN
    RETURN NULL;
  END IF;
  INSERT INTO activities.company_favorite_days AS c (company_id, day, shard, favorites)
  SELECT m.company_id, m.day, m.shard, sum(m.delta)::int
  FROM (
    SELECT o.company_id, d.day, d.shard, -d.favorites AS delta
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    JOIN activities.activity_favorite_days d ON d.activity_id = n.id
    WHERE o.company_id IS DISTINCT FROM n.company_id
    UNION ALL
    SELECT n.company_id, d.day, d.shard, d.favorites
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    JOIN activities.activity_favorite_days d ON d.activity_id = n.id
    WHERE o.company_id IS DISTINCT FROM n.company_id
  ) m
  GROUP BY m.company_id, m.day, m.shard ORDER BY m.company_id, m.day, m.shard
  ON CONFLICT ON CONSTRAINT company_favorite_days_pk DO UPDATE SET favorites = c.favorites + EXCLUDED.favorites;
  UPDATE activities.activity_favorite_totals t SET company_id = n.company_id
  FROM new_rows n WHERE t.activity_id = n.id AND t.company_id IS DISTINCT FROM n.company_id;
  UPDATE activities.activity_favorite_days d SET company_id = n.company_id
  FROM new_rows n WHERE d.activity_id = n.id AND d.company_id IS DISTINCT FROM n.company_id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- A deleted activity takes its counts out of its company's days. Its favourites are removed by ON DELETE CASCADE
-- after this, when the activity row is already gone, so the favourites' delete trigger cannot find its company
-- (and skips them); the activity's own rollup rows go with it by their foreign keys.
CREATE FUNCTION activities.activity_rollups_before_delete() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  UPDATE activities.company_favorite_days c SET favorites = c.favorites - d.favorites
  FROM activities.activity_favorite_days d
  WHERE d.activity_id = OLD.id AND c.company_id = OLD.company_id AND c.day = d.day AND c.shard = d.shard;
  RETURN OLD;
END
$$;
--> statement-breakpoint
-- Triggers and the backfill of existing favourites in one statement (one transaction), with writes to
-- favourites and activities blocked meanwhile, so no favourite is counted twice or missed.
DO $$
BEGIN
  LOCK TABLE activities.activities, activities.user_activity_favorites IN SHARE ROW EXCLUSIVE MODE;

  CREATE TRIGGER user_activity_favorites_rollups_insert
    AFTER INSERT ON activities.user_activity_favorites
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION activities.favorite_rollups_after_insert();
  CREATE TRIGGER user_activity_favorites_rollups_delete
    AFTER DELETE ON activities.user_activity_favorites
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION activities.favorite_rollups_after_delete();
  CREATE TRIGGER user_activity_favorites_rollups_update
    AFTER UPDATE ON activities.user_activity_favorites
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION activities.favorite_rollups_after_update();
  CREATE TRIGGER activities_rollups_delete
    BEFORE DELETE ON activities.activities
    FOR EACH ROW EXECUTE FUNCTION activities.activity_rollups_before_delete();
  CREATE TRIGGER activities_rollups_company_change
    AFTER UPDATE ON activities.activities
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION activities.activity_rollups_after_company_change();

  INSERT INTO activities.activity_favorite_totals (activity_id, shard, company_id, favorites, last_favorited_at)
  SELECT f.activity_id, activities.favorite_rollup_shard(f.id), a.company_id, count(*), max(f.created_at)
  FROM activities.user_activity_favorites f JOIN activities.activities a ON a.id = f.activity_id
  GROUP BY 1, 2, 3;
  INSERT INTO activities.activity_favorite_days (activity_id, day, shard, company_id, favorites)
  SELECT f.activity_id, (f.created_at AT TIME ZONE 'UTC')::date, activities.favorite_rollup_shard(f.id), a.company_id, count(*)
  FROM activities.user_activity_favorites f JOIN activities.activities a ON a.id = f.activity_id
  GROUP BY 1, 2, 3, 4;
  INSERT INTO activities.company_favorite_days (company_id, day, shard, favorites)
  SELECT a.company_id, (f.created_at AT TIME ZONE 'UTC')::date, activities.favorite_rollup_shard(f.id), count(*)
  FROM activities.user_activity_favorites f JOIN activities.activities a ON a.id = f.activity_id
  GROUP BY 1, 2, 3;
END
$$;
