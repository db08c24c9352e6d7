CREATE TABLE "activities"."user_activity_favorite_removals" (
	"user_id" uuid NOT NULL,
	"activity_id" uuid NOT NULL,
	"tapped_at" timestamp with time zone NOT NULL,
	"change_version" bigint NOT NULL,
	"removed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_activity_favorite_removals_pk" PRIMARY KEY("user_id","activity_id")
);
--> statement-breakpoint
CREATE TABLE "activities"."user_favorite_sync" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"last_version" bigint DEFAULT 0 NOT NULL,
	"purged_through" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "activities"."user_activity_favorites" ADD COLUMN "tapped_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "activities"."user_activity_favorites" ADD COLUMN "change_version" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "activities"."user_activity_favorite_removals" ADD CONSTRAINT "user_activity_favorite_removals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "users"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activities"."user_activity_favorite_removals" ADD CONSTRAINT "user_activity_favorite_removals_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "activities"."activities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activities"."user_favorite_sync" ADD CONSTRAINT "user_favorite_sync_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "users"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "user_activity_favorite_removals_user_id_change_version_idx" ON "activities"."user_activity_favorite_removals" USING btree ("user_id","change_version","activity_id");--> statement-breakpoint
CREATE INDEX "user_activity_favorite_removals_removed_at_idx" ON "activities"."user_activity_favorite_removals" USING btree ("removed_at");--> statement-breakpoint
-- Hand-written from here. CONCURRENTLY: on a live database the favourites table keeps taking writes while this index
-- is built (each statement of a migration is its own request, outside a transaction block).
CREATE INDEX CONCURRENTLY IF NOT EXISTS "user_activity_favorites_user_id_change_version_idx" ON "activities"."user_activity_favorites" USING btree ("user_id","change_version","activity_id");--> statement-breakpoint
-- Applies a user's favourite changes (one tap, or an offline queue of up to 100) so that the last tap wins, in
-- one call (one statement for the API). Each entry: an activity, whether it should be a favourite, and the tap's
-- time (NULL = now; more than 5 minutes ahead of the server = now). An entry older than the latest change already
-- applied to that activity for this user is ignored ("superseded"); of several entries for one activity, the
-- latest tap is applied and the others are superseded.
--
-- Race-safety: the function locks the user's sync row (creating it on the first change), so a user's changes
-- apply one at a time; the statements after it each take a fresh snapshot (PL/pgSQL, READ COMMITTED), so they
-- see every change that committed before the lock was granted. A single SQL statement cannot do this: its
-- snapshot predates the lock wait, and a DELETE does not see a row inserted by the change it waited for.
-- Versions come from the same row, so they grow in commit order: the changes feed's cursor never skips one.
--
-- No deadlock between batches: a batch that adds and removes runs the counts' insert and delete triggers one after
-- the other, each locking count rows in its own order, so two such batches could each hold a row the other's
-- second trigger needs. So such a batch first locks the count rows its changes will touch, table by table in key
-- order, the same order for every such batch; its triggers then only touch rows already held, or rows they create.
-- A call that only adds or only removes (every single POST or DELETE) runs one trigger, as any other write does,
-- and takes no such locks: locking them for it measurably made it deadlock with a concurrent cascade.
--
-- Returns one row per entry, in order: its outcome (created, existing, removed, superseded, unknown-activity),
-- whether the activity is a favourite now, and that favourite's record; no row at all for an unknown user.
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
  -- The count keys the changes will touch: the activity, its company and the favourite's time.
  k_activity uuid[];
  k_company uuid[];
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
         array_agg(d.company_id) FILTER (WHERE d.outcome = 'created' OR d.outcome = 'removed' AND d.favorite_id IS NOT NULL),
         array_agg(CASE WHEN d.outcome = 'created' THEN now() ELSE d.favorite_created_at END)
           FILTER (WHERE d.outcome = 'created' OR d.outcome = 'removed' AND d.favorite_id IS NOT NULL),
         coalesce(bool_or(d.outcome = 'created') AND bool_or(d.outcome = 'removed' AND d.favorite_id IS NOT NULL), false)
  INTO d_entry, d_activity, d_tapped, d_favorite, d_marked, d_outcome, k_activity, k_company, k_at, mixed
  FROM decided d;

  IF mixed THEN
    PERFORM 1 FROM activities.activity_favorite_counts c
    WHERE c.activity_id = ANY (k_activity) ORDER BY c.activity_id FOR NO KEY UPDATE;
    PERFORM 1 FROM activities.activity_favorite_day_counts c
    JOIN (SELECT DISTINCT k.activity_id, (k.at AT TIME ZONE 'UTC')::date AS day
          FROM unnest(k_activity, k_at) AS k(activity_id, at)) k ON c.activity_id = k.activity_id AND c.day = k.day
    ORDER BY c.activity_id, c.day FOR NO KEY UPDATE OF c;
    PERFORM 1 FROM activities.activity_favorite_slot_counts c
    JOIN (SELECT DISTINCT k.activity_id, date_bin('15 minutes', k.at, timestamp with time zone '2000-01-01 00:00:00+00') AS slot
          FROM unnest(k_activity, k_at) AS k(activity_id, at)) k ON c.activity_id = k.activity_id AND c.slot = k.slot
    ORDER BY c.activity_id, c.slot FOR NO KEY UPDATE OF c;
    PERFORM 1 FROM activities.company_favorite_day_counts c
    JOIN (SELECT DISTINCT k.company_id, (k.at AT TIME ZONE 'UTC')::date AS day
          FROM unnest(k_company, k_at) AS k(company_id, at)) k ON c.company_id = k.company_id AND c.day = k.day
    ORDER BY c.company_id, c.day FOR NO KEY UPDATE OF c;
    PERFORM 1 FROM activities.company_favorite_slot_counts c
    JOIN (SELECT DISTINCT k.company_id, date_bin('15 minutes', k.at, timestamp with time zone '2000-01-01 00:00:00+00') AS slot
          FROM unnest(k_company, k_at) AS k(company_id, at)) k ON c.company_id = k.company_id AND c.slot = k.slot
    ORDER BY c.company_id, c.slot FOR NO KEY UPDATE OF c;
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
