/** How timestamps cross the SQL boundary: ISO 8601 text out, exact microsecond keyset positions both ways. */
import { type Column, type SQL, sql } from 'drizzle-orm'

/** `to_char` format of the API's timestamps: ISO 8601 UTC with milliseconds. */
export const ISO_FORMAT = sql.raw(`'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`)

/** A `timestamptz` as the API writes it. */
export const isoOf = (value: Column | SQL) => sql<string>`to_char(${value} AT TIME ZONE 'UTC', ${ISO_FORMAT})`

/** Exact keyset position: microseconds since the epoch, as text (a JS number would lose precision). */
export const microsOf = (value: Column | SQL) =>
  sql<string>`(extract(epoch FROM ${value}) * 1000000)::bigint::text`

/** The `timestamptz` of a keyset position. Integer microseconds times an interval is exact, unlike `to_timestamp(double)`. */
export const fromMicros = (micros: string | number | null) =>
  sql`(timestamptz 'epoch' + interval '1 microsecond' * ${micros}::bigint)`
