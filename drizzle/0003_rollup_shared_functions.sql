-- The rollup logic of 0002, each piece written once: the shard count, the mapping of favourites to rollup keys,
-- and the statements that add favourites to or remove them from the three rollup tables. The trigger functions of
-- 0002 are replaced in place (same names, same triggers), so nothing is locked and no trigger is re-created; the
-- rows the triggers write are the same as before. Every statement is CREATE OR REPLACE, so a re-run is harmless, and
-- each statement leaves a working set of triggers should the migration stop between two of them.
--
-- Must equal FAVORITE_ROLLUP_SHARDS in src/db/schema.ts (test/db/rollup-shards.test.ts checks it). Changing it is
-- not just a new value here: the rollup rows already written would have to be re-sharded in the same migration.
CREATE OR REPLACE FUNCTION activities.favorite_rollup_shards() RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT 4 $$;
--> statement-breakpoint
-- The same values as 0002's `% 4` (both functions are inlined by the planner, down to the constant).
CREATE OR REPLACE FUNCTION activities.favorite_rollup_shard(favorite_id uuid) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (get_byte(uuid_send(favorite_id), 15) % activities.favorite_rollup_shards())::smallint $$;
--> statement-breakpoint
-- Favourites (as parallel arrays of their id, activity_id and created_at) with the rollup keys they count under:
-- their activity's company, their shard and their UTC day. A favourite whose activity is gone (removed by the
-- activity's ON DELETE CASCADE) has no row here: its rollup rows go with the activity. Inlined by the planner.
CREATE OR REPLACE FUNCTION activities.favorite_rollup_rows(
  favorite_ids uuid[], activity_ids uuid[], created_ats timestamp with time zone[]
) RETURNS TABLE (activity_id uuid, company_id uuid, shard smallint, day date, created_at timestamp with time zone)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT m.activity_id, a.company_id, activities.favorite_rollup_shard(m.id), (m.created_at AT TIME ZONE 'UTC')::date,
         m.created_at
  FROM unnest(favorite_ids, activity_ids, created_ats) AS m (id, activity_id, created_at)
  JOIN activities.activities a ON a.id = m.activity_id
$$;
--> statement-breakpoint
-- Applies a set of favourites to the rollups with delta 1 (they were added) or -1 (they were removed): one
-- aggregated statement per rollup table, rows locked in key order.
-- - Added: upsert the counts; last_favorited_at is the newer of the kept one and the added ones.
-- - Removed: decrement the rows the additions created (never insert). When the newest favourite of a shard goes,
--   that shard's last_favorited_at is looked up again: the newest remaining favourite of the activity in that shard,
--   a backward scan of user_activity_favorites_activity_id_created_at_idx (about favorite_rollup_shards() rows).
-- The favourites come as arrays because a trigger's transition tables are visible only to the trigger function's
-- own statements, not to a function it calls. Generic plans: a custom plan would re-plan these statements on every
-- call (about a millisecond each), as their array parameters make every call look different to the plan cache.
CREATE OR REPLACE FUNCTION activities.favorite_rollups_apply(
  favorite_ids uuid[], activity_ids uuid[], created_ats timestamp with time zone[], delta integer
) RETURNS void
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  IF delta IS DISTINCT FROM 1 AND delta IS DISTINCT FROM -1 THEN
    RAISE EXCEPTION 'favorite_rollups_apply: delta must be 1 or -1, not %', delta;
  END IF;
  IF favorite_ids IS NULL THEN
    RETURN;
  END IF;
  IF delta = 1 THEN
    WITH added AS (
      SELECT * FROM activities.favorite_rollup_rows(favorite_ids, activity_ids, created_ats)
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
  ELSE
    WITH removed AS (
      SELECT * FROM activities.favorite_rollup_rows(favorite_ids, activity_ids, created_ats)
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
  END IF;
END
$$;
--> statement-breakpoint
-- The trigger functions of 0002, now only passing their transition tables on (an empty statement passes NULLs).
CREATE OR REPLACE FUNCTION activities.favorite_rollups_after_insert() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM activities.favorite_rollups_apply(array_agg(id), array_agg(activity_id), array_agg(created_at), 1)
  FROM new_rows;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION activities.favorite_rollups_after_delete() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM activities.favorite_rollups_apply(array_agg(id), array_agg(activity_id), array_agg(created_at), -1)
  FROM old_rows;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- An UPDATE that moves a favourite (another id, activity or time) counts as a removal, then an addition; rows whose
-- id, activity_id and created_at did not change (the API upsert's no-op `SET user_id` on a double tap) count for
-- nothing, and a statement with only such rows writes nothing. (A trigger with transition tables cannot be limited
-- to `UPDATE OF` columns, hence the EXCEPTs.)
CREATE OR REPLACE FUNCTION activities.favorite_rollups_after_update() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  moved_ids uuid[];
  moved_activity_ids uuid[];
  moved_created_ats timestamp with time zone[];
BEGIN
  SELECT array_agg(m.id), array_agg(m.activity_id), array_agg(m.created_at)
  INTO moved_ids, moved_activity_ids, moved_created_ats
  FROM (SELECT id, activity_id, created_at FROM old_rows EXCEPT SELECT id, activity_id, created_at FROM new_rows) m;
  IF moved_ids IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM activities.favorite_rollups_apply(moved_ids, moved_activity_ids, moved_created_ats, -1);
  PERFORM activities.favorite_rollups_apply(array_agg(m.id), array_agg(m.activity_id), array_agg(m.created_at), 1)
  FROM (SELECT id, activity_id, created_at FROM new_rows EXCEPT SELECT id, activity_id, created_at FROM old_rows) m;
  RETURN NULL;
END
$$;
