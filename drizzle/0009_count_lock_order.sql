-- Count rows locked in one order by every writer (hand-written: functions only, no schema change).
--
-- Two batches that add and remove, or such a batch beside another write, deadlocked (PostgreSQL aborts one after
-- deadlock_timeout, 1 s; the API answered 503): 0006's pre-lock of a mixed batch took the totals, days,
-- quarter-hours and company rows but not 0008's months and years, and the triggers' own statements lock their
-- tables in the order the executor runs a statement's CTEs (the company quarter-hours first) and, for removals, in
-- whatever order a hash join yields. Now every write locks the existing count rows it will change first, through
-- one function, table by table in one order (totals, years, months, days, quarter-hours, company days, company
-- quarter-hours) and in key order within a table; the statements after it change only rows it holds, or create
-- rows (in one order too: the same statement, sorted). Two writers then queue on their common rows instead of
-- each holding one the other needs.
--
-- The existing count rows of favourites (parallel arrays of activity_id and created_at), locked as above. While a
-- backfill runs, the activities' rows are share-locked before any count row, as the backfill locks an activity
-- before its counts (0004): the other order could deadlock with a backfill batch.
CREATE OR REPLACE FUNCTION activities.favorite_counts_lock(activity_ids uuid[], created_ats timestamp with time zone[])
RETURNS void
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  IF activity_ids IS NULL THEN
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM activities.favorite_counts_backfill b WHERE b.completed_at IS NULL) THEN
    PERFORM 1 FROM activities.activities a WHERE a.id = ANY (activity_ids) ORDER BY a.id FOR KEY SHARE;
  END IF;
  PERFORM 1 FROM activities.activity_favorite_counts c
  WHERE c.activity_id = ANY (activity_ids) ORDER BY c.activity_id FOR NO KEY UPDATE;
  PERFORM 1 FROM activities.activity_favorite_year_counts c
  JOIN (SELECT DISTINCT k.activity_id, date_trunc('year', k.day)::date AS year
        FROM activities.favorite_count_keys(activity_ids, created_ats) k) k
    ON c.activity_id = k.activity_id AND c.year = k.year
  ORDER BY c.activity_id, c.year FOR NO KEY UPDATE OF c;
  PERFORM 1 FROM activities.activity_favorite_month_counts c
  JOIN (SELECT DISTINCT k.activity_id, date_trunc('month', k.day)::date AS month
        FROM activities.favorite_count_keys(activity_ids, created_ats) k) k
    ON c.activity_id = k.activity_id AND c.month = k.month
  ORDER BY c.activity_id, c.month FOR NO KEY UPDATE OF c;
  PERFORM 1 FROM activities.activity_favorite_day_counts c
  JOIN (SELECT DISTINCT k.activity_id, k.day FROM activities.favorite_count_keys(activity_ids, created_ats) k) k
    ON c.activity_id = k.activity_id AND c.day = k.day
  ORDER BY c.activity_id, c.day FOR NO KEY UPDATE OF c;
  PERFORM 1 FROM activities.activity_favorite_slot_counts c
  JOIN (SELECT DISTINCT k.activity_id, k.slot FROM activities.favorite_count_keys(activity_ids, created_ats) k) k
    ON c.activity_id = k.activity_id AND c.slot = k.slot
  ORDER BY c.activity_id, c.slot FOR NO KEY UPDATE OF c;
  PERFORM 1 FROM activities.company_favorite_day_counts c
  JOIN (SELECT DISTINCT k.company_id, k.day FROM activities.favorite_count_keys(activity_ids, created_ats) k) k
    ON c.company_id = k.company_id AND c.day = k.day
  ORDER BY c.company_id, c.day FOR NO KEY UPDATE OF c;
  PERFORM 1 FROM activities.company_favorite_slot_counts c
  JOIN (SELECT DISTINCT k.company_id, k.slot FROM activities.favorite_count_keys(activity_ids, created_ats) k) k
    ON c.company_id = k.company_id AND c.slot = k.slot
  ORDER BY c.company_id, c.slot FOR NO KEY UPDATE OF c;
END
$$;
--> statement-breakpoint
-- The favourites' triggers (0004's functions): the rows locked first, then counted.
CREATE OR REPLACE FUNCTION activities.favorite_rollups_after_insert() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  ids uuid[];
  ats timestamp with time zone[];
BEGIN
  SELECT array_agg(activity_id), array_agg(created_at) INTO ids, ats FROM new_rows;
  PERFORM activities.favorite_counts_lock(ids, ats);
  PERFORM activities.favorite_counts_apply(ids, ats, 1);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION activities.favorite_rollups_after_delete() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  ids uuid[];
  ats timestamp with time zone[];
BEGIN
  SELECT array_agg(activity_id), array_agg(created_at) INTO ids, ats FROM old_rows;
  PERFORM activities.favorite_counts_lock(ids, ats);
  PERFORM activities.favorite_counts_apply(ids, ats, -1);
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- A moved favourite counts as a removal, then an addition: the rows of both locked first, at once.
CREATE OR REPLACE FUNCTION activities.favorite_rollups_after_update() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  old_ids uuid[];
  old_ats timestamp with time zone[];
  new_ids uuid[];
  new_ats timestamp with time zone[];
BEGIN
  SELECT array_agg(m.activity_id), array_agg(m.created_at) INTO old_ids, old_ats
  FROM (SELECT id, activity_id, created_at FROM old_rows EXCEPT SELECT id, activity_id, created_at FROM new_rows) m;
  IF old_ids IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT array_agg(m.activity_id), array_agg(m.created_at) INTO new_ids, new_ats
  FROM (SELECT id, activity_id, created_at FROM new_rows EXCEPT SELECT id, activity_id, created_at FROM old_rows) m;
  PERFORM activities.favorite_counts_lock(old_ids || new_ids, old_ats || new_ats);
  PERFORM activities.favorite_counts_apply(old_ids, old_ats, -1);
  PERFORM activities.favorite_counts_apply(new_ids, new_ats, 1);
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- A deleted activity (0004's function): its company's rows locked in key order before they are changed, as a
-- favourite's writer locks them.
CREATE OR REPLACE FUNCTION activities.activity_rollups_before_delete() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM 1 FROM activities.company_favorite_day_counts c
  JOIN activities.activity_favorite_day_counts d ON d.activity_id = OLD.id AND c.day = d.day
  WHERE c.company_id = OLD.company_id
  ORDER BY c.day FOR NO KEY UPDATE OF c;
  PERFORM 1 FROM activities.company_favorite_slot_counts c
  JOIN activities.activity_favorite_slot_counts s ON s.activity_id = OLD.id AND c.slot = s.slot
  WHERE c.company_id = OLD.company_id
  ORDER BY c.slot FOR NO KEY UPDATE OF c;
  UPDATE activities.company_favorite_day_counts c SET favorites = c.favorites - d.favorites
  FROM activities.activity_favorite_day_counts d
  WHERE d.activity_id = OLD.id AND c.company_id = OLD.company_id AND c.day = d.day;
  UPDATE activities.company_favorite_slot_counts c SET favorites = c.favorites - s.favorites
  FROM activities.activity_favorite_slot_counts s
  WHERE s.activity_id = OLD.id AND c.company_id = OLD.company_id AND c.slot = s.slot;
  RETURN OLD;
END
$$;
--> statement-breakpoint
-- 0006's function; a batch that adds and removes pre-locks the count rows of both through favorite_counts_lock.
CREATE OR REPLACE FUNCTION activities.apply_favorite_changes(
  p_user_id uuid,
  p_activity_ids uuid[],
  p_favorited boolean[],
  p_tapped_at timestamp with time zone[]
) RETURNS TABLE (
  entry integer,
  activity_id uuid,
  outcome text,
  favorited boolean,
  favorite_id uuid,
  created_at timestamp with time zone,
  activity_name text,
  activity_type activities.activity_type,
  company_id uuid,
  image_url text,
  favorite_count integer
)
LANGUAGE plpgsql
AS $$
DECLARE
  entries integer := cardinality(p_activity_ids);
  base_version bigint;
  -- The applied entry of each activity (the batch's latest tap for it), decided on a fresh snapshot.
  d_entry integer[];
  d_activity uuid[];
  d_tapped timestamp with time zone[];
  d_favorite uuid[];
  d_marked boolean[];
  d_outcome text[];
  -- The count keys the changes will touch: the activity and the favourite's time.
  k_activity uuid[];
  k_at timestamp with time zone[];
  mixed boolean;
  outcomes text[];
BEGIN
  -- Locks in one order, the order the deletions of users and activities take theirs in: the user, then the
  -- activities, then the sync row (then favourites, markers, counts). A user or an activity that is being deleted
  -- is waited for, then seen as gone; once locked, neither can be deleted until this commits.
  PERFORM 1 FROM users.users u WHERE u.id = p_user_id FOR KEY SHARE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  PERFORM 1 FROM activities.activities a WHERE a.id = ANY (p_activity_ids) ORDER BY a.id FOR KEY SHARE;
  INSERT INTO activities.user_favorite_sync AS s (user_id, last_version) VALUES (p_user_id, entries)
  ON CONFLICT (user_id) DO UPDATE SET last_version = s.last_version + entries
  RETURNING s.last_version - entries INTO base_version;

  WITH asked AS (
    SELECT t.entry::integer AS entry, t.activity_id, t.wanted,
           CASE WHEN t.tapped_at IS NULL OR t.tapped_at > now() + interval '5 minutes' THEN now()
                ELSE t.tapped_at END AS tapped_at
    FROM unnest(p_activity_ids, p_favorited, p_tapped_at) WITH ORDINALITY AS t(activity_id, wanted, tapped_at, entry)
  ), latest AS (
    -- Per activity, the batch's latest tap (the later entry on a tie).
    SELECT DISTINCT ON (a.activity_id) a.* FROM asked a ORDER BY a.activity_id, a.tapped_at DESC, a.entry DESC
  ), decided AS (
    SELECT l.entry, l.activity_id, l.wanted, l.tapped_at, f.id AS favorite_id, r.activity_id IS NOT NULL AS marked,
           act.company_id, f.created_at AS favorite_created_at,
           CASE
             WHEN act.id IS NULL THEN 'unknown-activity'
             WHEN l.tapped_at < greatest(coalesce(f.tapped_at, f.created_at), r.tapped_at) THEN 'superseded'
             WHEN l.wanted AND f.id IS NOT NULL THEN 'existing'
             WHEN l.wanted THEN 'created'
             ELSE 'removed'
           END AS outcome
    FROM latest l
    LEFT JOIN activities.activities act ON act.id = l.activity_id
    LEFT JOIN activities.user_activity_favorites f ON f.user_id = p_user_id AND f.activity_id = l.activity_id
    LEFT JOIN activities.user_activity_favorite_removals r
      ON r.user_id = p_user_id AND r.activity_id = l.activity_id
  )
  SELECT array_agg(d.entry), array_agg(d.activity_id), array_agg(d.tapped_at),
         array_agg(d.favorite_id), array_agg(d.marked), array_agg(d.outcome),
         array_agg(d.activity_id) FILTER (WHERE d.outcome = 'created' OR d.outcome = 'removed' AND d.favorite_id IS NOT NULL),
         array_agg(CASE WHEN d.outcome = 'created' THEN now() ELSE d.favorite_created_at END)
           FILTER (WHERE d.outcome = 'created' OR d.outcome = 'removed' AND d.favorite_id IS NOT NULL),
         coalesce(bool_or(d.outcome = 'created') AND bool_or(d.outcome = 'removed' AND d.favorite_id IS NOT NULL), false)
  INTO d_entry, d_activity, d_tapped, d_favorite, d_marked, d_outcome, k_activity, k_at, mixed
  FROM decided d;

  IF mixed THEN
    PERFORM activities.favorite_counts_lock(k_activity, k_at);
  END IF;

  WITH decided AS (
    SELECT d.*, base_version + d.entry AS version
    FROM unnest(d_entry, d_activity, d_tapped, d_favorite, d_marked, d_outcome)
      AS d(entry, activity_id, tapped_at, favorite_id, marked, outcome)
  ), created AS (
    INSERT INTO activities.user_activity_favorites (user_id, activity_id, tapped_at, change_version)
    SELECT p_user_id, d.activity_id, d.tapped_at, d.version FROM decided d WHERE d.outcome = 'created'
    ORDER BY d.activity_id
  ), unmarked AS (
    DELETE FROM activities.user_activity_favorite_removals r
    USING decided d
    WHERE d.outcome = 'created' AND d.marked AND r.user_id = p_user_id AND r.activity_id = d.activity_id
  ), retapped AS (
    UPDATE activities.user_activity_favorites f SET tapped_at = d.tapped_at
    FROM decided d
    WHERE d.outcome = 'existing' AND f.user_id = p_user_id AND f.activity_id = d.activity_id
  ), removed AS (
    DELETE FROM activities.user_activity_favorites f
    USING decided d
    WHERE d.outcome = 'removed' AND d.favorite_id IS NOT NULL AND f.id = d.favorite_id
  ), marked AS (
    -- Removing a favourite, or what was never one (so that an older add arriving later is ignored), is a change
    -- with a new version; removing what already was removed only moves the marker's time.
    INSERT INTO activities.user_activity_favorite_removals AS r (user_id, activity_id, tapped_at, change_version)
    SELECT p_user_id, d.activity_id, d.tapped_at, d.version FROM decided d
    WHERE d.outcome = 'removed' AND (d.favorite_id IS NOT NULL OR NOT d.marked)
    ORDER BY d.activity_id
    ON CONFLICT ON CONSTRAINT user_activity_favorite_removals_pk DO UPDATE
    SET tapped_at = EXCLUDED.tapped_at, change_version = EXCLUDED.change_version, removed_at = now()
  ), remarked AS (
    UPDATE activities.user_activity_favorite_removals r SET tapped_at = d.tapped_at, removed_at = now()
    FROM decided d
    WHERE d.outcome = 'removed' AND d.favorite_id IS NULL AND d.marked
      AND r.user_id = p_user_id AND r.activity_id = d.activity_id
  )
  SELECT array_agg(coalesce(d.outcome, 'superseded') ORDER BY a.entry)
  INTO outcomes
  FROM generate_series(1, entries) AS a(entry) LEFT JOIN decided d ON d.entry = a.entry;

  -- A fresh snapshot: the favourites as they are now, and their counts as the triggers left them.
  RETURN QUERY
  SELECT a.entry::integer, a.activity_id, outcomes[a.entry], f.id IS NOT NULL, f.id, f.created_at,
         act.name, act.type, act.company_id, act.image_url, coalesce(c.favorites, 0)
  FROM unnest(p_activity_ids) WITH ORDINALITY AS a(activity_id, entry)
  LEFT JOIN activities.user_activity_favorites f ON f.user_id = p_user_id AND f.activity_id = a.activity_id
  LEFT JOIN activities.activities act ON act.id = a.activity_id
  LEFT JOIN activities.activity_favorite_counts c ON c.activity_id = a.activity_id
  ORDER BY a.entry;
END
$$;
